#include "models/schedule/schedule_digest.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

namespace fathom::models::schedule {
namespace {

// A well-mixed 64-bit key per (stage, counter) for the incremental hash of the live counts (splitmix64).
uint64_t mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace

UnitSignature signature_of(const Unit& unit) {
  return {int(unit.kind), int(unit.first.kind), unit.first.stage, unit.second ? int(unit.second->kind) : -1,
          unit.second ? unit.second->stage : -1};
}

ScheduleDigest digest(const Schedule& schedule) {
  ScheduleDigest d;
  d.header = Schedule{.name = schedule.name,
                      .ranks = schedule.ranks,
                      .micro_batches = schedule.micro_batches,
                      .stages = schedule.stages,
                      .chunks_per_rank = schedule.chunks_per_rank,
                      .per_rank = {}};  // every field but the units (schedule.h)
  auto shape = std::make_shared<DigestShape>();
  shape->held = held_stages(schedule);
  std::set<std::pair<int, int>> pairs;
  for (size_t r = 0; r < schedule.per_rank.size(); ++r) {
    std::map<UnitSignature, size_t> index;  // signature -> position in d.per_rank[r]
    std::vector<UnitCount>& counts = d.per_rank.emplace_back();
    int last_weight = shape->held[r].empty() ? -1 : shape->held[r].front();
    LiveCounts now{std::vector<int>(size_t(schedule.stages), 0), std::vector<int>(size_t(schedule.stages), 0)};
    std::vector<LiveCounts>& states = shape->after_forward.emplace_back();
    // The states listed so far by the hash of their counts (kept up to date with each pass); equal hashes are
    // compared in full, so the list is exact.
    std::unordered_map<uint64_t, std::vector<size_t>> listed;
    uint64_t hash = 0;
    const auto full_key = [](size_t st) { return mix(2 * st); };
    const auto weight_key = [](size_t st) { return mix(2 * st + 1); };
    const auto apply = [&](const Pass& p) {
      const size_t st = size_t(p.stage);
      switch (p.kind) {
        case PassKind::kForward: {
          ++now.full[st];
          hash += full_key(st);
          std::vector<size_t>& same = listed[hash];
          if (std::none_of(same.begin(), same.end(), [&](size_t i) { return states[i] == now; })) {
            same.push_back(states.size());
            states.push_back(now);
          }
          break;
        }
        case PassKind::kBackwardFull:
          --now.full[st];
          hash -= full_key(st);
          break;
        case PassKind::kBackwardInput:
          --now.full[st];
          ++now.weight_only[st];
          hash += weight_key(st) - full_key(st);
          break;
        case PassKind::kWeight:
          --now.weight_only[st];
          hash -= weight_key(st);
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
        shape->forward_backward_units.push_back(u);
      }
    }
    shape->last_weight_stage.push_back(last_weight);
  }
  d.shape = std::move(shape);
  return d;
}

namespace {

bool same_units(const std::vector<UnitCount>& a, const std::vector<UnitCount>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](const UnitCount& x, const UnitCount& y) {
           return signature_of(x.unit) == signature_of(y.unit);
         });
}

bool same_shape(const ScheduleDigest& a, const ScheduleDigest& b) {
  const Schedule &x = a.header, &y = b.header;
  if (x.name != y.name || x.ranks != y.ranks || x.stages != y.stages || x.chunks_per_rank != y.chunks_per_rank) {
    return false;
  }
  if (a.per_rank.size() != b.per_rank.size()) return false;
  if (a.shape != b.shape) {
    const DigestShape &p = *a.shape, &q = *b.shape;
    if (p.held != q.held || p.last_weight_stage != q.last_weight_stage || p.after_forward != q.after_forward ||
        p.forward_backward_units.size() != q.forward_backward_units.size()) {
      return false;
    }
    for (size_t i = 0; i < p.forward_backward_units.size(); ++i) {
      if (signature_of(p.forward_backward_units[i]) != signature_of(q.forward_backward_units[i])) return false;
    }
  }
  for (size_t r = 0; r < a.per_rank.size(); ++r) {
    if (!same_units(a.per_rank[r], b.per_rank[r])) return false;
  }
  return true;
}

}  // namespace

bool same_digest(const ScheduleDigest& a, const ScheduleDigest& b) {
  if (!same_shape(a, b) || a.header.micro_batches != b.header.micro_batches) return false;
  for (size_t r = 0; r < a.per_rank.size(); ++r) {
    for (size_t i = 0; i < a.per_rank[r].size(); ++i) {
      if (a.per_rank[r][i].count != b.per_rank[r][i].count) return false;
    }
  }
  return true;
}

std::optional<ScheduleDigest> extrapolated(const ScheduleDigest& a, const ScheduleDigest& b, int m) {
  const int a_m = a.header.micro_batches, step = b.header.micro_batches - a_m;
  if (step <= 0 || m < a_m || (m - a_m) % step != 0 || !same_shape(a, b)) return std::nullopt;
  const int64_t k = (m - a_m) / step;
  ScheduleDigest out = b;  // its shape shared
  out.header.micro_batches = m;
  for (size_t r = 0; r < out.per_rank.size(); ++r) {
    for (size_t i = 0; i < out.per_rank[r].size(); ++i) {
      const int64_t at_a = a.per_rank[r][i].count, at_b = b.per_rank[r][i].count;
      out.per_rank[r][i].count = at_a + k * (at_b - at_a);
    }
  }
  return out;
}

const ScheduleDigest& DigestCache::fold(const Key& key,
                                        const std::function<std::shared_ptr<const Schedule>(int)>& make) {
  ++generated_;
  return digests_.insert_or_assign(key, digest(*make(std::get<3>(key)))).first->second;
}

const ScheduleDigest& DigestCache::at(const std::string& name, int ranks, int virtual_stages, int m,
                                      const std::function<std::shared_ptr<const Schedule>(int)>& make) {
  const auto at_count = [&](int count) { return Key{name, ranks, virtual_stages, count}; };
  if (const auto it = digests_.find(at_count(m)); it != digests_.end()) return it->second;
  const int parity = (m - 2 * ranks) % 2 != 0 ? 1 : 0;
  if (m <= 2 * ranks + parity + 4) return fold(at_count(m), make);  // within two steps of any base
  Family& f = families_[Key{name, ranks, virtual_stages, parity}];
  if (!f.tried) {
    f.tried = true;
    for (const auto& [base, step] : {std::pair{2 * ranks + parity, 2}, std::pair{2 * ranks, ranks}}) {
      try {
        ScheduleDigest first = fold(at_count(base), make), second = fold(at_count(base + step), make);
        const std::optional<ScheduleDigest> guess = extrapolated(first, second, base + 2 * step);
        if (guess && same_digest(*guess, fold(at_count(base + 2 * step), make))) {
          f = Family{true, true, base, step, std::move(first), std::move(second)};
          break;
        }
      } catch (const std::exception&) {
        // The generator refuses these counts (interleaved 1F1B takes multiples of P): try the next lattice.
      }
    }
  }
  if (const auto it = digests_.find(at_count(m)); it != digests_.end()) return it->second;  // a base just folded
  if (!f.repeats || m <= f.base + 2 * f.step) return fold(at_count(m), make);
  std::optional<ScheduleDigest> d = extrapolated(*f.first, *f.second, m);
  if (!d) return fold(at_count(m), make);
  return digests_.emplace(at_count(m), std::move(*d)).first->second;
}

}  // namespace fathom::models::schedule
