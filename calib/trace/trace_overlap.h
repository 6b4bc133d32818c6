#pragma once
// Exposed communication from a trace's intervals: the time communication kernels (DeepEP dispatch and
// combine, NCCL collectives) run while no compute kernel runs. Compute is every other kernel,
// unclassified ones included; memcpy and memset events are neither.
//
// Contract: exposed = |U(comm) \ U(compute)|, the union of the communication intervals less its
// intersection with the union of the compute intervals; all in seconds from the trace's first GPU event.

#include <vector>

#include "calib/trace/trace_classify.h"

namespace fathom::calib {

struct Interval {
  double start = 0, end = 0;  // seconds, end >= start
};

// Sorted, disjoint intervals covering exactly the input's union.
std::vector<Interval> interval_union(std::vector<Interval> intervals);
double covered(const std::vector<Interval>& disjoint);  // total length of disjoint intervals
// Length of `a` not covered by `b` (both disjoint and sorted, as interval_union returns them).
double uncovered(const std::vector<Interval>& a, const std::vector<Interval>& b);

struct TraceOverlap {
  Seconds span;                   // first GPU event's start to the last one's end
  Seconds compute_busy;           // union of compute intervals
  Seconds communication_busy;     // union of communication intervals
  Seconds exposed_communication;  // communication while no compute runs
};

TraceOverlap trace_overlap(const TraceSummary& summary);

}  // namespace fathom::calib
