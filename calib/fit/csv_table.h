#pragma once
// A small reader for the comma-separated calibration tables (no quoting; '#' lines are comments).

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace fathom::calib {

// One parsed table: a header and data rows; getters name the file, line and column on error.
class CsvTable {
 public:
  // Throws InputError "<file>: <what>" if the file cannot be read or a row has the wrong width.
  static CsvTable read(const std::filesystem::path& file);

  const std::string& label() const { return label_; }
  size_t rows() const { return rows_.size(); }
  bool has_column(std::string_view column) const;
  const std::string& text(size_t row, std::string_view column) const;
  double number(size_t row, std::string_view column) const;    // InputError if not a number
  int64_t integer(size_t row, std::string_view column) const;  // InputError if not an integer
  bool empty(size_t row, std::string_view column) const;
  int line(size_t row) const { return lines_[row]; }

 private:
  size_t column_index(std::string_view column) const;

  std::string label_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<int> lines_;
};

}  // namespace fathom::calib
