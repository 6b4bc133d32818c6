#pragma once
// What `fathom calibrate fit` and `fathom calibrate trace` share (tools/cmd_calibrate.cpp): reading the
// --gpu file and printing a fitted calibration.

#include <nlohmann/json.hpp>
#include <string>

#include "calib/fit/calibrate.h"
#include "hw/gpu_spec.h"

namespace fathom::tools {

// The GpuSpec of a GPU file; InputError "--gpu <file>: GPU file not found ..." when there is none.
hw::GpuSpec load_gpu(const std::string& file);

// One line per family (rows, errors, parameters), then its held-out shapes and notes.
void print_fit_text(const calib::CalibrationFit& fit);

// Every row's measured and predicted time (`--json`).
nlohmann::json fit_rows_json(const calib::CalibrationFit& fit);

}  // namespace fathom::tools
