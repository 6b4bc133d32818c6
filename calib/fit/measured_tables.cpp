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

// Errors read `<file>: <json path>: <what>`, list entries by index (`measurements.3.m`), as every reader's
// (docs/architecture.md "Errors"). `path` is the JSON path of `j` ("" at the top level).
struct Where {
  std::string file;
  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw InputError(fmt::format("{}: {}: {}", file, path.empty() ? "(top level)" : path, what));
  }
};

std::string path_of(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

const json& member(const Where& w, const json& j, const std::string& path, const std::string& key) {
  if (!j.is_object()) w.fail(path, "expected a JSON object");
  if (!j.contains(key)) w.fail(path_of(path, key), "required key is missing");
  return j.at(key);
}

double number(const Where& w, const json& j, const std::string& path, const std::string& key) {
  const json& v = member(w, j, path, key);
  if (!v.is_number()) w.fail(path_of(path, key), "expected a number");
  return v.get<double>();
}

std::string text(const Where& w, const json& j, const std::string& path, const std::string& key) {
  const json& v = member(w, j, path, key);
  if (!v.is_string()) w.fail(path_of(path, key), "expected a string");
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
  const Where at{name};
  const json doc = read_json_file(file);  // strict: malformed, duplicate keys, depth, 1e400
  if (!doc.is_object()) at.fail("", "expected a JSON object");
  if (text(at, doc, "", "format") != "fathom-measured-kernels/1") {
    at.fail("format", "expected \"fathom-measured-kernels/1\"");
  }
  if (text(at, doc, "", "provenance") != "measured") at.fail("provenance", "expected \"measured\"");
  if (gpu) {
    const std::string device = text(at, member(at, doc, "", "device"), "device", "name");
    if (hw::gpu_model_key(device) != hw::gpu_model_key(gpu->name)) {
      at.fail("device.name", fmt::format("measured on \"{}\", but --gpu is \"{}\": fit a GPU's timings with that "
                                         "GPU's file",
                                         printable(device), gpu->name));
    }
  }
  const json& records = member(at, doc, "", "measurements");
  if (!records.is_array()) at.fail("measurements", "expected an array");
  std::map<std::string, int64_t> per_kernel;
  for (size_t i = 0; i < records.size(); ++i) {
    const json& r = records[i];
    const std::string where = fmt::format("measurements.{}", i);
    if (text(at, r, where, "status") != "measured") continue;
    const std::optional<hw::KernelFamily> family = fitted_family(text(at, r, where, "family"));
    if (!family) continue;
    const std::string kernel = text(at, r, where, "kernel");
    CalibrationRow row;
    hw::KernelWork& w = row.work;
    w.family = *family;
    try {
      w.dtype = hw::parse_dtype(text(at, r, where, "dtype"));
    } catch (const std::invalid_argument& e) {
      at.fail(where + ".dtype", e.what());
    }
    w.flops = Flops(number(at, r, where, "flops"));
    w.bytes_read = Bytes(number(at, r, where, "bytes_read"));
    w.bytes_written = Bytes(number(at, r, where, "bytes_written"));
    if (!(w.flops.value() >= 0.0 && w.bytes_read.value() >= 0.0 && w.bytes_written.value() >= 0.0) ||
        !(w.flops.value() + w.bytes_read.value() + w.bytes_written.value() > 0.0)) {
      at.fail(where, "flops, bytes_read and bytes_written must be >= 0 and not all 0");
    }
    int64_t* fields[] = {&w.m, &w.n, &w.k, &w.groups, &w.batch, &w.heads, &w.seq_q, &w.seq_kv};
    const char* keys[] = {"m", "n", "k", "groups", "batch", "heads", "seq_q", "seq_kv"};
    for (int f = 0; f < 8; ++f) {
      const double v = number(at, r, where, keys[f]);
      if (!(v >= 0.0 && v <= 2147483648.0) || v != std::floor(v)) {
        at.fail(path_of(where, keys[f]), fmt::format("{} is not a kernel shape (a whole number from 0 to 2^31)", v));
      }
      *fields[f] = static_cast<int64_t>(v);
    }
    const double median = number(at, r, where, "median_s");
    if (!(median > 0)) at.fail(where + ".median_s", "a measured time must be positive");
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
