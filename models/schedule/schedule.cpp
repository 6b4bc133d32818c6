#include "models/schedule/schedule.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace fathom::models::schedule {

Unit Unit::single(const Pass& p) {
  Unit u;
  switch (p.kind) {
    case PassKind::kForward:
      u.kind = UnitKind::kForward;
      break;
    case PassKind::kBackwardFull:
      u.kind = UnitKind::kBackwardFull;
      break;
    case PassKind::kBackwardInput:
      u.kind = UnitKind::kBackwardInput;
      break;
    case PassKind::kWeight:
      u.kind = UnitKind::kWeight;
      break;
  }
  u.first = p;
  return u;
}

Unit Unit::overlapped(const Pass& forward, const Pass& backward) {
  Unit u;
  u.kind = UnitKind::kForwardBackward;
  u.first = forward;
  u.second = backward;
  return u;
}

std::string to_string(PassKind kind) {
  switch (kind) {
    case PassKind::kForward:
      return "F";
    case PassKind::kBackwardFull:
      return "B";
    case PassKind::kBackwardInput:
      return "Bi";
    case PassKind::kWeight:
      return "W";
  }
  return "?";
}

std::string to_string(UnitKind kind) {
  switch (kind) {
    case UnitKind::kForward:
      return "F";
    case UnitKind::kBackwardFull:
      return "B";
    case UnitKind::kBackwardInput:
      return "Bi";
    case UnitKind::kWeight:
      return "W";
    case UnitKind::kForwardBackward:
      return "F&B";
  }
  return "?";
}

static std::string pass_text(const Pass& p) {
  return fmt::format("{}{}/{}", to_string(p.kind), p.phase, p.micro_batch);
}

std::string to_string(const Unit& unit) {
  if (!unit.second) return pass_text(unit.first);
  return pass_text(unit.first) + "&" + pass_text(*unit.second);
}

std::vector<int> peak_activations(const Schedule& schedule) {
  std::vector<int> peaks;
  peaks.reserve(schedule.per_rank.size());
  for (const auto& units : schedule.per_rank) {
    int held = 0;
    int peak = 0;
    auto apply = [&](const Pass& p) {
      if (p.kind == PassKind::kForward) peak = std::max(peak, ++held);
      if (p.kind == PassKind::kBackwardFull || p.kind == PassKind::kBackwardInput) --held;
    };
    for (const auto& u : units) {
      apply(u.first);
      if (u.second) apply(*u.second);
    }
    peaks.push_back(peak);
  }
  return peaks;
}

std::vector<std::vector<int>> held_stages(const Schedule& schedule) {
  std::vector<std::vector<int>> out;
  out.reserve(schedule.per_rank.size());
  for (const auto& units : schedule.per_rank) {
    std::set<int> held;
    for (const Unit& u : units) {
      held.insert(u.first.stage);
      if (u.second) held.insert(u.second->stage);
    }
    out.emplace_back(held.begin(), held.end());
  }
  return out;
}

}  // namespace fathom::models::schedule
