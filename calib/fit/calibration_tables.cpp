#include "calib/fit/calibration_tables.h"

#include <fmt/format.h>

#include <algorithm>

#include "calib/fit/measured_tables.h"
#include "sim/error.h"
#include "sim/strict_json.h"

namespace fathom::calib {
namespace fs = std::filesystem;
namespace {

bool starts_with(const std::string& s, std::string_view p) { return s.rfind(p, 0) == 0; }
bool ends_with(const std::string& s, std::string_view p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

void read_one(const fs::path& file, CalibrationInputs& out, const hw::GpuSpec& gpu) {
  const std::string name = file.filename().string();
  if (name == "gemm-data.csv") {
    read_infersim_gemm(CsvTable::read(file), out);
  } else if (name == "grouped_gemm-decode-data.csv") {
    read_infersim_grouped_gemm(CsvTable::read(file), true, out);
  } else if (name == "grouped_gemm-prefill-data.csv") {
    read_infersim_grouped_gemm(CsvTable::read(file), false, out);
  } else if (starts_with(name, "mla-decode-")) {
    read_infersim_mla_decode(CsvTable::read(file), out);
  } else if (starts_with(name, "mla-prefill-")) {
    read_infersim_mla_prefill(CsvTable::read(file), out);
  } else if (ends_with(name, "published-kernels.csv")) {
    read_published_kernels(CsvTable::read(file), out);
  } else if (ends_with(name, "-measured.json")) {
    read_measured_table(file, out, &gpu);  // appends its own table name
    return;
  } else {
    throw InputError(
        fmt::format("{}: unknown calibration table (known: gemm-data.csv, grouped_gemm-decode-data.csv, "
                    "grouped_gemm-prefill-data.csv, mla-decode-*.csv, mla-prefill-*.csv, *published-kernels.csv, "
                    "<gpu>-measured.json)",
                    file.string()));
  }
  out.tables.push_back(name);
}

}  // namespace

void exclude_impossible(CalibrationRow& row, const hw::GpuSpec& gpu) {
  const double flops_rate = row.work.flops.value() / row.measured.value();
  const double byte_rate = row.work.bytes().value() / row.measured.value();
  if (flops_rate > gpu.peak(row.work.dtype).value()) {
    row.excluded = fmt::format("implied {:.0f} TFLOPS exceeds the {} dense peak", flops_rate / 1e12,
                               hw::to_string(row.work.dtype));
  } else if (byte_rate > gpu.hbm_bandwidth.value()) {
    row.excluded = fmt::format(
        "implied {:.2f} TB/s exceeds the HBM peak {:.2f} TB/s: the kernel cannot have read every expert's weights "
        "(experts with no tokens are skipped, and their number is not recorded)",
        byte_rate / 1e12, gpu.hbm_bandwidth.value() / 1e12);
  }
}

CalibrationInputs read_calibration_tables(const std::vector<fs::path>& paths, const hw::GpuSpec& gpu) {
  CalibrationInputs out;
  for (const fs::path& p : paths) {
    if (fs::is_directory(p)) {
      std::vector<fs::path> files;
      for (const auto& e : fs::directory_iterator(p)) {
        if (e.is_regular_file() && e.path().extension() == ".csv") files.push_back(e.path());
      }
      std::sort(files.begin(), files.end());
      for (const fs::path& f : files) read_one(f, out, gpu);
    } else if (fs::is_regular_file(p)) {
      read_one(p, out, gpu);
    } else {
      throw InputError(fmt::format("--tables {}: no such file or directory", p.string()));
    }
  }
  if (out.rows.empty()) {
    std::string given;
    for (const fs::path& p : paths) {
      if (!given.empty()) given += ' ';
      given += p.string();
    }
    throw InputError(
        fmt::format("--tables {}: no kernel timing rows to fit (known tables: gemm-data.csv, "
                    "grouped_gemm-*-data.csv, mla-*.csv, *published-kernels.csv, <gpu>-measured.json)",
                    given.empty() ? "(none)" : printable(given, 120)));
  }
  for (CalibrationRow& r : out.rows) {
    exclude_impossible(r, gpu);
  }
  return out;
}

}  // namespace fathom::calib
