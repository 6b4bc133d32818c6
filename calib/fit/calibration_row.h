#pragma once
// One measured kernel time as a fitting input: the work the kernel did, the time it took, where
// the row came from, and whether it is excluded (with the reason).

#include <cstdint>
#include <string>
#include <vector>

#include "hw/kernel_work.h"
#include "sim/units.h"

namespace fathom::calib {

// A (KernelWork, measured time) pair taken from one row of a calibration table.
struct CalibrationRow {
  hw::KernelWork work;
  Seconds measured;
  std::string table;     // file name, e.g. "gemm-data.csv"
  int64_t index = 0;     // 0-based data-row index in that table
  std::string label;     // human-readable: "gemm-data.csv#12 m=256 k=7168 n=1536" or "K11 m=64 ..."
  std::string row_id;    // published row id ("K11"), empty for measured tables
  std::string excluded;  // non-empty: why the row takes no part in fit or evaluation
};

// A published upper bound on a family's achievable rates (FlashMLA K01/K02).
struct KernelBound {
  std::string row_id;
  hw::KernelFamily family = hw::KernelFamily::mla_decode;
  FlopsPerSecond max_compute_rate;  // 0 = no bound
  BytesPerSecond max_bandwidth;     // 0 = no bound
};

// Everything read from the calibration tables.
struct CalibrationInputs {
  std::vector<CalibrationRow> rows;
  std::vector<KernelBound> bounds;
  std::vector<std::string> tables;  // file names read, in order
};

}  // namespace fathom::calib
