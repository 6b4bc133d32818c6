#pragma once
// Reading a PyTorch profiler (Kineto) Chrome-trace JSON file: the GPU kernel and memcpy/memset events
// with their times, the operator shapes recorded with record_shapes=True, the device properties and
// the profiler steps. Chrome-trace times ("ts", "dur") are microseconds (the Trace Event Format;
// "displayTimeUnit" changes only how a viewer shows them); everything here is in seconds.
//
// Contract: strict JSON (sim/strict_json.h). A malformed event is one InputError line
// "<file>: traceEvents[<i>].<key>: <what>". Events other than complete ("ph": "X") GPU events are read
// only for what they link to (shapes of CPU operators by "External id", "ProfilerStep#" annotations).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/units.h"

namespace fathom::calib {

// One GPU event of the trace (cat "kernel", "gpu_memcpy" or "gpu_memset").
struct TraceKernel {
  std::string name;
  std::string category;
  int64_t device = 0;  // args.device, else the event's pid
  int64_t stream = 0;  // args.stream, else the event's tid
  Seconds start;       // from the trace's first GPU event
  Seconds duration;
  size_t event_index = 0;  // index in traceEvents (error lines and labels)
  // The shapes of the CPU operator that launched the kernel (linked by "External id"), or of the
  // kernel event itself: one list of dimensions per input ("Input Dims"), the input dtypes ("Input
  // type", e.g. "c10::BFloat16") and the operator's name ("aten::mm"); empty when not recorded.
  std::string op_name;
  std::vector<std::vector<int64_t>> input_dims;
  std::vector<std::string> input_types;
};

struct KinetoTrace {
  std::string file;                  // the file name, as error lines and provenance name it
  std::string device;                // deviceProperties[0].name, "" when the trace has none
  std::vector<TraceKernel> kernels;  // in order of start time
  int64_t profiler_steps = 0;        // distinct "ProfilerStep#<n>" annotations (0 when none)
  size_t events = 0;                 // all events of traceEvents, GPU or not (a CPU-only trace has 0 kernels)
};

KinetoTrace read_kineto_trace(const std::filesystem::path& file);

}  // namespace fathom::calib
