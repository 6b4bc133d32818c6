#pragma once
// Reading the calibration tables (scenarios/calibration/): the InferSim H800 measurements and the
// transcribed published kernel rows, into CalibrationRows with hold-out and exclusion marked.

#include <filesystem>
#include <vector>

#include "calib/fit/calibration_row.h"
#include "calib/fit/csv_table.h"
#include "hw/gpu_spec.h"

namespace fathom::calib {

// Readers of each known table, by file name (appending rows/bounds with index, label, table set).
void read_infersim_gemm(const CsvTable& table, CalibrationInputs& out);
void read_infersim_grouped_gemm(const CsvTable& table, bool decode, CalibrationInputs& out);
void read_infersim_mla_decode(const CsvTable& table, CalibrationInputs& out);
void read_infersim_mla_prefill(const CsvTable& table, CalibrationInputs& out);
void read_published_kernels(const CsvTable& table, CalibrationInputs& out);

// Reads every table named by `paths` (a directory means its *.csv files, sorted by name). File names
// select the reader: gemm-data.csv, grouped_gemm-{decode,prefill}-data.csv, mla-decode-*.csv,
// mla-prefill-*.csv, *published-kernels.csv; any other .csv is an InputError. Then excludes
// physically impossible rows: implied FLOP/s above the dtype's dense peak or implied bytes/s above
// the HBM bandwidth of `gpu`.
CalibrationInputs read_calibration_tables(const std::vector<std::filesystem::path>& paths, const hw::GpuSpec& gpu);

// The exclusion check on its own (sets row.excluded when the row is impossible on `gpu`).
void exclude_impossible(CalibrationRow& row, const hw::GpuSpec& gpu);

}  // namespace fathom::calib
