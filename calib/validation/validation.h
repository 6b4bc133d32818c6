#pragma once
// The validation of the cost model against every kernel- and link-level measurement fathom has
// (docs/validation.md): each calibration row's measured time against the shipped fit and against a fit
// that never saw its shape family (leave one shape out, calib/fit/calibrate.h), and each published DeepEP
// all-to-all row (K21-K25) against the all-to-all model, which takes only the node's link figures (N02,
// N06) and is never fitted. System-level outcomes are not here: fathom predicts them and they are kept
// outside the repository.

#include <filesystem>
#include <string>
#include <vector>

#include "calib/fit/calibrate.h"
#include "calib/fit/calibration_row.h"
#include "hw/gpu_spec.h"
#include "hw/node_spec.h"

namespace fathom::calib {

// One compared figure. `held_out` is the prediction of a fit without the row's shape family (0 when
// there is none: a single-shape family, or a row that is never fitted such as an all-to-all).
struct ValidationRow {
  std::string group;   // kernel family ("dense_gemm") or "alltoall_normal" / "alltoall_low_latency"
  std::string source;  // table file or published row id ("K13")
  std::string label;   // the shape, e.g. "m=4096 n=32768 k=512"
  std::string unit;    // "us" (times) or "GB/s" (bandwidths)
  double measured = 0;
  double predicted = 0;
  double held_out = 0;
  double error() const { return predicted / measured - 1.0; }
  double held_out_error() const { return held_out > 0 ? held_out / measured - 1.0 : 0.0; }
};

// Median and worst |error| of one group, over all its rows and over its held-out predictions.
struct GroupSummary {
  std::string group;
  int64_t rows = 0, held_out_rows = 0;
  double median = 0, worst = 0;
  double held_out_median = 0, held_out_worst = 0;
};

struct Validation {
  std::string device;
  std::vector<ValidationRow> rows;
  std::vector<GroupSummary> groups;  // in first-appearance order of the rows
  std::vector<std::string> notes;    // bound checks (K01/K02) and exclusions from the fit
};

// Published all-to-all rows (scenarios/calibration/<gpu>-published-alltoall.csv, format in its header).
std::vector<ValidationRow> alltoall_rows(const std::filesystem::path& table, const hw::NodeSpec& node);

// Everything above for the calibration tables `tables` on `node`'s GPU, and the all-to-all table.
Validation validate(const std::vector<std::filesystem::path>& tables, const std::filesystem::path& alltoall_table,
                    const hw::NodeSpec& node);

}  // namespace fathom::calib
