#pragma once
// A calibration from a profiler trace (docs/calibration-traces.md): the kernels whose operators recorded
// their shapes become CalibrationRows (one per kernel name and shape, at the median of its runs), fitted
// with the same fit as the kernel tables (calib/fit/calibrate.h); every fitted value's source is
// "measured:<trace file>@<device>".

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "calib/fit/calibrate.h"
#include "calib/fit/calibration_row.h"
#include "calib/trace/trace_classify.h"
#include "hw/calibration.h"
#include "hw/gpu_spec.h"

namespace fathom::calib {

// "<trace file>@<device>" (the device of the trace, else of the GPU file).
std::string trace_source(const KinetoTrace& trace, const std::string& device);

// One row per (class, kernel name, shape): the median duration of its runs. Rows impossible on `gpu`
// are excluded as in the tables (calibration_tables.h: exclude_impossible); a family with fewer usable
// rows than its fit has free parameters (family_defaults.h) has its rows excluded, with the reason, so
// that the fit leaves it at its base or assumed curve.
CalibrationInputs trace_calibration_rows(const TraceSummary& summary, const std::string& source,
                                         const hw::GpuSpec& gpu);

// Fits the rows; families without usable rows take `base`'s parameters when given (a shipped
// calibration), else their assumed curves. Fitted values get the source "measured:<source>".
CalibrationFit fit_trace_calibration(const CalibrationInputs& rows, const hw::GpuSpec& gpu, const std::string& device,
                                     const std::string& source, const hw::Calibration* base);

// The rows as a measured-kernel file (format fathom-measured-kernels/1, calib/fit/measured_tables.h), so
// that `fathom calibrate fit --tables <gpu>-measured.json` fits them together with other tables.
nlohmann::json trace_rows_json(const CalibrationInputs& rows, const std::string& device, const std::string& source);

}  // namespace fathom::calib
