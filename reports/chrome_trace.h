#pragma once
// Chrome-trace JSON (the Trace Event Format that chrome://tracing and Perfetto open) from plain
// timeline slices: one process per group (e.g. a pipeline rank), one thread per track inside it
// (e.g. compute, communication), complete events ("ph": "X") in microseconds.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fathom::reports {

// One slice of a timeline.
struct TraceSlice {
  int process = 0;       // pid, e.g. the pipeline rank
  int thread = 0;        // tid within the process, e.g. 0 compute, 1 communication
  std::string name;      // shown on the slice
  std::string category;  // "cat", e.g. "F", "B", "W", "pp_send"
  double start_s = 0;
  double duration_s = 0;
};

// Names of the processes and threads, emitted as metadata events ("ph": "M").
struct TraceTrack {
  int process = 0;
  int thread = 0;
  std::string process_name;
  std::string thread_name;
};

// {"traceEvents": [...], "displayTimeUnit": "ms"}.
nlohmann::json chrome_trace_json(const std::vector<TraceSlice>& slices, const std::vector<TraceTrack>& tracks);

}  // namespace fathom::reports
