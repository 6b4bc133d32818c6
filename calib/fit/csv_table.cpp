#include "calib/fit/csv_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>

#include "sim/error.h"
#include "sim/strict_json.h"

namespace fathom::calib {
namespace {

std::string trim(std::string s) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) out.push_back(trim(cell));
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

}  // namespace

CsvTable CsvTable::read(const std::filesystem::path& file) {
  CsvTable t;
  t.label_ = printable(file.filename().string());
  std::ifstream in(file);
  if (!in) throw InputError(fmt::format("{}: cannot open the table", file.string()));
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string> cells = split(line);
    if (t.header_.empty()) {
      t.header_ = std::move(cells);
      continue;
    }
    if (cells.size() != t.header_.size()) {
      throw InputError(
          fmt::format("{}: line {}: expected {} columns, got {}", t.label_, number, t.header_.size(), cells.size()));
    }
    t.rows_.push_back(std::move(cells));
    t.lines_.push_back(number);
  }
  if (t.header_.empty()) throw InputError(fmt::format("{}: the table is empty", t.label_));
  return t;
}

bool CsvTable::has_column(std::string_view column) const {
  return std::find(header_.begin(), header_.end(), column) != header_.end();
}

size_t CsvTable::column_index(std::string_view column) const {
  const auto it = std::find(header_.begin(), header_.end(), column);
  if (it == header_.end()) throw InputError(fmt::format("{}: missing column \"{}\"", label_, column));
  return static_cast<size_t>(it - header_.begin());
}

const std::string& CsvTable::text(size_t row, std::string_view column) const {
  return rows_.at(row)[column_index(column)];
}

bool CsvTable::empty(size_t row, std::string_view column) const { return text(row, column).empty(); }

double CsvTable::number(size_t row, std::string_view column) const {
  const std::string& s = text(row, column);
  try {
    size_t used = 0;
    const double v = std::stod(s, &used);
    if (used == s.size() && std::isfinite(v)) return v;
  } catch (const std::exception&) {
  }
  throw InputError(fmt::format("{}: line {}: column {}: expected a number, got \"{}\"", label_, lines_[row], column,
                               printable(s, 40)));
}

int64_t CsvTable::integer(size_t row, std::string_view column) const {
  const double v = number(row, column);
  if (std::floor(v) != v) {
    throw InputError(
        fmt::format("{}: line {}: column {}: expected an integer, got {}", label_, lines_[row], column, v));
  }
  // The integers of the tables are kernel shapes: never negative, and far below 2^31 (larger would
  // overflow the int64 products of a shape).
  constexpr double kMaxShape = 2147483648.0;
  if (v < 0 || v > kMaxShape) {
    throw InputError(fmt::format("{}: line {}: column {}: {} is out of range for a kernel shape (0 to 2^31)", label_,
                                 lines_[row], column, v));
  }
  return static_cast<int64_t>(v);
}

}  // namespace fathom::calib
