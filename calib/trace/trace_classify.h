#pragma once
// Classifying every GPU event of a trace (trace_patterns.h) and totalling time per class. Kernels no
// pattern matches are kept and listed by name (count, total time): never dropped.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "calib/trace/kineto_trace.h"
#include "calib/trace/trace_patterns.h"

namespace fathom::calib {

struct ClassifiedKernel {
  const TraceKernel* kernel = nullptr;
  std::optional<TraceClass> cls;  // none: unclassified
  std::string kind;               // the matching pattern's label
};

// Total time of one class, or of one unclassified kernel name.
struct TraceTotal {
  std::string name;
  int64_t count = 0;
  Seconds total;
  bool communication = false;
};

struct TraceSummary {
  std::vector<ClassifiedKernel> kernels;  // in the trace's order (by start time)
  std::map<std::string, TraceTotal> classes;
  std::vector<TraceTotal> unclassified;  // by name, most time first
  int64_t devices = 0;                   // distinct GPUs (args.device) with events
};

// `trace` must outlive the summary (it points into trace.kernels).
TraceSummary classify_trace(const KinetoTrace& trace, const TracePatterns& patterns);

}  // namespace fathom::calib
