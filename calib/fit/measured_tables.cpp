#include "calib/fit/measured_tables.h"

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "sim/error.h"

namespace fathom::calib {
namespace {

using nlohmann::json;

const json& member(const json& j, const std::string& key, const std::string& where) {
  if (!j.is_object() || !j.contains(key)) throw InputError(fmt::format("{}: missing \"{}\"", where, key));
  return j.at(key);
}

double number(const json& j, const std::string& key, const std::string& where) {
  const json& v = member(j, key, where);
  if (!v.is_number()) throw InputError(fmt::format("{}.{}: expected a number", where, key));
  return v.get<double>();
}

std::string text(const json& j, const std::string& key, const std::string& where) {
  const json& v = member(j, key, where);
  if (!v.is_string()) throw InputError(fmt::format("{}.{}: expected a string", where, key));
  return v.get<std::string>();
}

std::optional<hw::KernelFamily> fitted_family(const std::string& name) {
  try {
    return hw::parse_kernel_family(name);
  } catch (const std::invalid_argument&) {
    return std::nullopt;  // collective, ...: not a kernel family of the cost model
  }
}

std::string shape_label(const hw::KernelWork& w) {
  if (w.family == hw::KernelFamily::mla_decode || w.family == hw::KernelFamily::attention_decode ||
      w.family == hw::KernelFamily::attention_prefill) {
    return fmt::format("batch={} heads={} seq_q={} seq_kv={}", w.batch, w.heads, w.seq_q, w.seq_kv);
  }
  if (w.groups > 1) return fmt::format("groups={} m={} n={} k={}", w.groups, w.m, w.n, w.k);
  return fmt::format("m={} n={} k={}", w.m, w.n, w.k);
}

}  // namespace

void read_measured_table(const std::filesystem::path& file, CalibrationInputs& out) {
  const std::string name = file.filename().string();
  std::ifstream in(file);
  if (!in) throw InputError(fmt::format("{}: cannot read the file", file.string()));
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::parse_error& e) {
    throw InputError(fmt::format("{}: not valid JSON: {}", file.string(), e.what()));
  }
  if (text(doc, "format", name) != "fathom-measured-kernels/1") {
    throw InputError(fmt::format("{}.format: expected \"fathom-measured-kernels/1\"", name));
  }
  if (text(doc, "provenance", name) != "measured") {
    throw InputError(fmt::format("{}.provenance: expected \"measured\"", name));
  }
  const json& records = member(doc, "measurements", name);
  if (!records.is_array()) throw InputError(fmt::format("{}.measurements: expected an array", name));
  std::map<std::string, int64_t> per_kernel;
  for (size_t i = 0; i < records.size(); ++i) {
    const json& r = records[i];
    const std::string where = fmt::format("{}.measurements[{}]", name, i);
    if (text(r, "status", where) != "measured") continue;
    const std::optional<hw::KernelFamily> family = fitted_family(text(r, "family", where));
    if (!family) continue;
    const std::string kernel = text(r, "kernel", where);
    CalibrationRow row;
    hw::KernelWork& w = row.work;
    w.family = *family;
    try {
      w.dtype = hw::parse_dtype(text(r, "dtype", where));
    } catch (const std::invalid_argument& e) {
      throw InputError(fmt::format("{}.dtype: {}", where, e.what()));
    }
    w.flops = Flops(number(r, "flops", where));
    w.bytes_read = Bytes(number(r, "bytes_read", where));
    w.bytes_written = Bytes(number(r, "bytes_written", where));
    int64_t* fields[] = {&w.m, &w.n, &w.k, &w.groups, &w.batch, &w.heads, &w.seq_q, &w.seq_kv};
    const char* keys[] = {"m", "n", "k", "groups", "batch", "heads", "seq_q", "seq_kv"};
    for (int f = 0; f < 8; ++f) *fields[f] = static_cast<int64_t>(number(r, keys[f], where));
    const double median = number(r, "median_s", where);
    if (!(median > 0)) throw InputError(fmt::format("{}.median_s: a measured time must be positive", where));
    row.measured = Seconds(median);
    row.table = name;
    row.index = per_kernel[kernel]++;
    row.label = fmt::format("{}#{}/{} {}", name, kernel, row.index, shape_label(w));
    if (w.family == hw::KernelFamily::dense_gemm && w.dtype != hw::DType::fp8) {
      row.excluded = "BF16 GEMM kept for comparison: dense_gemm is fitted to the FP8 rows (DeepSeek-V3's GEMM dtype)";
    } else if (w.family == hw::KernelFamily::elementwise) {
      row.excluded =
          "elementwise rows are not fitted yet: the family keeps its assumed curve, this row shows its error";
    }
    out.rows.push_back(std::move(row));
  }
  out.tables.push_back(name);
}

}  // namespace fathom::calib
