#include "calib/trace/trace_overlap.h"

#include <algorithm>

namespace fathom::calib {

std::vector<Interval> interval_union(std::vector<Interval> v) {
  std::sort(v.begin(), v.end(), [](const Interval& a, const Interval& b) { return a.start < b.start; });
  std::vector<Interval> out;
  for (const Interval& i : v) {
    if (!out.empty() && i.start <= out.back().end) {
      out.back().end = std::max(out.back().end, i.end);
    } else {
      out.push_back(i);
    }
  }
  return out;
}

double covered(const std::vector<Interval>& disjoint) {
  double sum = 0;
  for (const Interval& i : disjoint) sum += i.end - i.start;
  return sum;
}

double uncovered(const std::vector<Interval>& a, const std::vector<Interval>& b) {
  double overlap = 0;
  size_t j = 0;
  for (const Interval& i : a) {
    while (j < b.size() && b[j].end <= i.start) ++j;
    for (size_t k = j; k < b.size() && b[k].start < i.end; ++k) {
      overlap += std::min(i.end, b[k].end) - std::max(i.start, b[k].start);
    }
  }
  return covered(a) - overlap;
}

TraceOverlap trace_overlap(const TraceSummary& summary) {
  std::vector<Interval> compute, comm;
  double first = 0, last = 0;
  bool any = false;
  for (const ClassifiedKernel& c : summary.kernels) {
    const double start = c.kernel->start.value(), end = start + c.kernel->duration.value();
    first = any ? std::min(first, start) : start;
    last = any ? std::max(last, end) : end;
    any = true;
    if (c.cls && c.cls->name == kCopyClass) continue;
    (c.cls && c.cls->communication ? comm : compute).push_back({start, end});
  }
  const std::vector<Interval> cu = interval_union(compute), mu = interval_union(comm);
  TraceOverlap o;
  o.span = Seconds(last - first);
  o.compute_busy = Seconds(covered(cu));
  o.communication_busy = Seconds(covered(mu));
  o.exposed_communication = Seconds(uncovered(mu, cu));
  return o;
}

}  // namespace fathom::calib
