#pragma once
// What `fathom calibrate trace` and `fathom compare-trace` share: the trace patterns (the shipped
// scenarios/calibration/trace-patterns.json, after the user's --patterns files) and a trace read and
// classified with them.

#include <string>
#include <vector>

#include "calib/trace/kineto_trace.h"
#include "calib/trace/trace_classify.h"
#include "calib/trace/trace_patterns.h"

namespace fathom::tools {

// The user's files first (in the order given), then the shipped patterns found in the scenario library.
calib::TracePatterns load_trace_patterns(const std::vector<std::string>& user_files);

// The trace at `file` (calib::read_kineto_trace), refused with one line when it holds no GPU kernel events
// (a CPU-only trace: --device cpu, or a profile without ProfilerActivity.CUDA).
calib::KinetoTrace read_gpu_trace(const std::string& file);

// The shipped GPU file (hw/gpus/*.json in the scenario library) of the GPU model `device` names
// (hw::gpu_model_key); "" when none.
std::string shipped_gpu_file(const std::string& device);

}  // namespace fathom::tools
