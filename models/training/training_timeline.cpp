#include "models/training/training_timeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

namespace fathom::models::training {
namespace {

const char* thread_name(SliceTrack t) {
  switch (t) {
    case SliceTrack::compute:
      return "compute (F, B, W, F&B, optimizer)";
    case SliceTrack::pp_send_next:
      return "PP sends to the next rank";
    case SliceTrack::pp_send_previous:
      return "PP sends to the previous rank";
    case SliceTrack::zero1:
      return "ZeRO-1 reduce-scatter, all-gather";
    case SliceTrack::all_to_all:
      return "expert all-to-all (one slice per DISPATCH or COMBINE phase)";
  }
  return "";
}

}  // namespace

nlohmann::json timeline_rows(const std::vector<StepSlice>& slices) {
  nlohmann::json rows = nlohmann::json::array();
  for (const StepSlice& s : slices) {
    rows.push_back({{"process", s.rank},
                    {"thread", static_cast<int>(s.track)},
                    {"process_name", fmt::format("pipeline rank {}", s.rank)},
                    {"thread_name", thread_name(s.track)},
                    {"name", s.name},
                    {"category", s.category},
                    {"start_s", s.start_s},
                    {"end_s", s.start_s + s.duration_s}});
  }
  return rows;
}

nlohmann::json pipeline_rows(const std::vector<StepSlice>& slices) {
  std::vector<const StepSlice*> kept;
  for (const StepSlice& s : slices) {
    if (s.track != SliceTrack::all_to_all) kept.push_back(&s);
  }
  const auto key = [](const StepSlice* s) {
    return std::make_tuple(s->rank, s->track != SliceTrack::compute, s->start_s, static_cast<int>(s->track));
  };
  std::stable_sort(kept.begin(), kept.end(), [&](const StepSlice* a, const StepSlice* b) { return key(a) < key(b); });
  nlohmann::json rows = nlohmann::json::array();
  for (const StepSlice* s : kept) {
    const bool compute = s->track == SliceTrack::compute;
    rows.push_back({{"rank", s->rank},
                    {"lane", fmt::format("rank {} {}", s->rank, compute ? "compute" : "sends, ZeRO-1")},
                    {"category", s->category},
                    {"name", s->name},
                    {"start_s", s->start_s},
                    {"end_s", s->start_s + s->duration_s}});
  }
  return rows;
}

std::vector<TableSpec> timeline_tables() {
  TableSpec timeline{"timeline",
                     "Timeline of one pipeline (every slice; the trace format and trace.json hold it for Perfetto)",
                     "/timeline",
                     {{"process", "rank", ""},
                      {"thread", "track", ""},
                      {"name", "slice", ""},
                      {"category", "category", ""},
                      {"start_s", "start", "ms", 1e3, 3},
                      {"end_s", "end", "ms", 1e3, 3}}};
  timeline.listed = false;
  TableSpec pipeline{"pipeline",
                     "Pipeline timeline: each rank's compute stream, and its pipeline sends and ZeRO-1 collectives",
                     "/pipeline",
                     {{"lane", "lane", ""},
                      {"category", "category", ""},
                      {"name", "slice", ""},
                      {"start_s", "start", "ms", 1e3, 3},
                      {"end_s", "end", "ms", 1e3, 3}}};
  pipeline.charts = {gantt_chart("Pipeline timeline (F, B, W, F&B, optimizer, sends and collectives)", "lane",
                                 "start_s", "end_s", "category", "time in the step (s)")};
  pipeline.listed = false;
  return {timeline, pipeline};
}

}  // namespace fathom::models::training
