#include "reports/chrome_trace.h"

#include <set>

namespace fathom::reports {

nlohmann::json chrome_trace_json(const std::vector<TraceSlice>& slices, const std::vector<TraceTrack>& tracks) {
  nlohmann::json events = nlohmann::json::array();
  std::set<int> named;
  for (const auto& t : tracks) {
    if (named.insert(t.process).second) {
      events.push_back({{"name", "process_name"},
                        {"ph", "M"},
                        {"pid", t.process},
                        {"tid", 0},
                        {"args", {{"name", t.process_name}}}});
      events.push_back({{"name", "process_sort_index"},
                        {"ph", "M"},
                        {"pid", t.process},
                        {"tid", 0},
                        {"args", {{"sort_index", t.process}}}});
    }
    events.push_back({{"name", "thread_name"},
                      {"ph", "M"},
                      {"pid", t.process},
                      {"tid", t.thread},
                      {"args", {{"name", t.thread_name}}}});
  }
  for (const auto& s : slices) {
    events.push_back({{"name", s.name},
                      {"cat", s.category},
                      {"ph", "X"},
                      {"ts", s.start_s * 1e6},
                      {"dur", s.duration_s * 1e6},
                      {"pid", s.process},
                      {"tid", s.thread}});
  }
  return {{"traceEvents", events}, {"displayTimeUnit", "ms"}};
}

}  // namespace fathom::reports
