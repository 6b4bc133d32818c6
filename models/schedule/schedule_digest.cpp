#include "models/schedule/schedule_digest.h"

#include <algorithm>
#include <map>
#include <set>

namespace fathom::models::schedule {

UnitSignature signature_of(const Unit& unit) {
  return {int(unit.kind), int(unit.first.kind), unit.first.stage, unit.second ? int(unit.second->kind) : -1,
          unit.second ? unit.second->stage : -1};
}

ScheduleDigest digest(const Schedule& schedule) {
  ScheduleDigest d;
  d.header = schedule;
  d.header.per_rank.clear();
  d.held = held_stages(schedule);
  std::set<std::pair<int, int>> pairs;
  for (size_t r = 0; r < schedule.per_rank.size(); ++r) {
    std::map<UnitSignature, size_t> index;  // signature -> position in d.per_rank[r]
    std::vector<UnitCount>& counts = d.per_rank.emplace_back();
    int last_weight = d.held[r].empty() ? -1 : d.held[r].front();
    LiveCounts now{std::vector<int>(size_t(schedule.stages), 0), std::vector<int>(size_t(schedule.stages), 0)};
    std::vector<LiveCounts>& states = d.after_forward.emplace_back();
    const auto apply = [&](const Pass& p) {
      const size_t st = size_t(p.stage);
      switch (p.kind) {
        case PassKind::kForward:
          ++now.full[st];
          if (std::find(states.begin(), states.end(), now) == states.end()) states.push_back(now);
          break;
        case PassKind::kBackwardFull:
          --now.full[st];
          break;
        case PassKind::kBackwardInput:
          --now.full[st];
          ++now.weight_only[st];
          break;
        case PassKind::kWeight:
          --now.weight_only[st];
          break;
      }
    };
    for (const Unit& u : schedule.per_rank[r]) {
      apply(u.first);
      if (u.second) apply(*u.second);
      const auto [it, added] = index.emplace(signature_of(u), counts.size());
      if (added) counts.push_back({u, 0});
      ++counts[it->second].count;
      for (const Pass* p : {&u.first, u.second ? &*u.second : nullptr}) {
        if (p && (p->kind == PassKind::kBackwardFull || p->kind == PassKind::kWeight)) last_weight = p->stage;
      }
      if (u.kind == UnitKind::kForwardBackward && pairs.insert({u.first.stage, u.second->stage}).second) {
        d.forward_backward_units.push_back(u);
      }
    }
    d.last_weight_stage.push_back(last_weight);
  }
  return d;
}

}  // namespace fathom::models::schedule
