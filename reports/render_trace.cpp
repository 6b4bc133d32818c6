// The Chrome-trace format (the Trace Event Format of chrome://tracing and Perfetto) of a Report: its
// timeline table (Report::timeline) as complete events. A report without a timeline is refused with one
// line naming the kind.

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "reports/chrome_trace.h"
#include "reports/formats.h"
#include "sim/error.h"

namespace fathom::reports {

std::string render_trace(const Report& r) {
  const TableSpec* table = nullptr;
  for (const TableSpec& t : r.tables) {
    if (!r.timeline.empty() && t.name == r.timeline) table = &t;
  }
  if (table == nullptr) {
    throw InputError(
        fmt::format("trace: a {} run has no timeline to write (only training runs at the event or flow level have one)",
                    r.kind.empty() ? "this" : r.kind));
  }
  std::vector<TraceSlice> slices;
  std::vector<TraceTrack> tracks;
  std::set<std::pair<int, int>> named;
  for (const nlohmann::json& row : r.data.at(nlohmann::json::json_pointer(table->path))) {
    const int process = row.at("process").get<int>(), thread = row.at("thread").get<int>();
    if (named.insert({process, thread}).second) {
      tracks.push_back(
          {process, thread, row.at("process_name").get<std::string>(), row.at("thread_name").get<std::string>()});
    }
    const double start = row.at("start_s").get<double>();
    slices.push_back({process, thread, row.at("name").get<std::string>(), row.at("category").get<std::string>(), start,
                      row.at("end_s").get<double>() - start});
  }
  std::sort(tracks.begin(), tracks.end(), [](const TraceTrack& a, const TraceTrack& b) {
    return std::pair(a.process, a.thread) < std::pair(b.process, b.thread);
  });
  return chrome_trace_json(slices, tracks).dump() + "\n";
}

}  // namespace fathom::reports
