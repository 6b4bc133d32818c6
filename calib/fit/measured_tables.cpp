#include "calib/fit/measured_tables.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "hw/calibration_match.h"
#include "sim/error.h"
#include "sim/strict_json.h"

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

void read_measured_table(const std::filesystem::path& file, CalibrationInputs& out, const hw::GpuSpec* gpu) {
  const std::string name = printable(file.filename().string());
  const json doc = read_json_file(file);  // strict: malformed, duplicate keys, depth, 1e400
  if (!doc.is_object()) throw InputError(fmt::format("{}: (top level): expected a JSON object", name));
  if (text(doc, "format", name) != "fathom-measured-kernels/1") {
    throw InputError(fmt::format("{}.format: expected \"fathom-measured-kernels/1\"", name));
  }
  if (text(doc, "provenance", name) != "measured") {
    throw InputError(fmt::format("{}.provenance: expected \"measured\"", name));
  }
  if (gpu) {
    const std::string device = text(member(doc, "device", name), "name", name + ".device");
    if (hw::gpu_model_key(device) != hw::gpu_model_key(gpu->name)) {
      throw InputError(
          fmt::format("{}.device.name: measured on \"{}\", but --gpu is \"{}\": fit a GPU's "
                      "timings with that GPU's file",
                      name, printable(device), gpu->name));
    }
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
    if (!(w.flops.value() >= 0.0 && w.bytes_read.value() >= 0.0 && w.bytes_written.value() >= 0.0) ||
        !(w.flops.value() + w.bytes_read.value() + w.bytes_written.value() > 0.0)) {
      throw InputError(fmt::format("{}: flops, bytes_read and bytes_written must be >= 0 and not all 0", where));
    }
    int64_t* fields[] = {&w.m, &w.n, &w.k, &w.groups, &w.batch, &w.heads, &w.seq_q, &w.seq_kv};
    const char* keys[] = {"m", "n", "k", "groups", "batch", "heads", "seq_q", "seq_kv"};
    for (int f = 0; f < 8; ++f) {
      const double v = number(r, keys[f], where);
      if (!(v >= 0.0 && v <= 2147483648.0) || v != std::floor(v)) {
        throw InputError(
            fmt::format("{}.{}: {} is not a kernel shape (a whole number from 0 to 2^31)", where, keys[f], v));
      }
      *fields[f] = static_cast<int64_t>(v);
    }
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
