#include "models/training/stage_plan.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace fathom::models::training {
namespace {

using schedule::PassKind;

// One pass as a chain of compute components and all-to-all phases (see the header).
struct ChainItem {
  bool comm = false;
  PassTimes time;                    // compute
  const BlockCost* block = nullptr;  // comm
  AllToAllPhase phase = AllToAllPhase::dispatch;
};

class Chain {
 public:
  // A component; `keep_empty`: also when it has no time (it carries the all-to-alls around it).
  void compute(const PassTimes& t, bool keep_empty) {
    if (keep_empty || t.total_s() > 0) items_.push_back({false, t});
  }
  void comm(const BlockCost& b, AllToAllPhase phase) { items_.push_back({true, {}, &b, phase}); }
  const std::vector<ChainItem>& items() const { return items_; }

 private:
  std::vector<ChainItem> items_;
};

// The passes of `kind` that a component of times `t` runs.
PassTimes of_kind(PassKind kind, const PassTimes& t) {
  switch (kind) {
    case PassKind::kForward:
      return {t.forward_s, 0, 0};
    case PassKind::kBackwardFull:
      return {0, t.backward_input_s, t.backward_weight_s};
    case PassKind::kBackwardInput:
      return {0, t.backward_input_s, 0};
    case PassKind::kWeight:
      return {0, 0, t.backward_weight_s};
  }
  return {};
}

// Figure 4's chain of one pass over a stage's blocks, at the full or the reduced SM count.
Chain pass_chain(PassKind kind, const Stage& s, bool reduced) {
  Chain c;
  const bool forward = kind == PassKind::kForward;
  const size_t n = s.blocks.size();
  for (size_t i = 0; i < n; ++i) {
    const BlockCost& b = s.blocks[forward ? i : n - 1 - i];
    const PassTimes all = of_kind(kind, reduced ? b.overlapped : b.full());
    const BlockParts& parts = reduced ? b.overlapped_parts : b.full_parts;
    const PassTimes mlp = of_kind(kind, parts.mlp), post = of_kind(kind, parts.post);
    const PassTimes attention = all - mlp - post;
    const bool comm = kind != PassKind::kWeight && (forward ? b.forward_comm_s() : b.backward_comm_s()) > 0;
    if (forward) {
      c.compute(attention, comm);
      if (comm) c.comm(b, AllToAllPhase::dispatch);
      c.compute(mlp, comm);
      if (comm) c.comm(b, AllToAllPhase::combine);
      c.compute(post, comm);
    } else {
      c.compute(post, comm);
      if (comm) c.comm(b, AllToAllPhase::combine_backward);
      c.compute(mlp, comm);
      if (comm) c.comm(b, AllToAllPhase::dispatch_backward);
      c.compute(attention, comm);
    }
  }
  return c;
}

// Lays chains on the two streams by list scheduling: whenever the compute stream is free it runs, of the
// chains' next components, the one ready first (its all-to-all ended), and on a tie the one of the chain
// that did not run last (the first chain at the start). A component's all-to-all after it is issued at
// its ready_s (overlapped: after its F and B parts; alone: at its end), the all-to-all stream serving
// them in issue order; a chain's leading all-to-alls are issued at the unit's start.
UnitPlan lay_out(const std::vector<const Chain*>& chains, bool overlapped) {
  UnitPlan plan;
  plan.overlapped = overlapped;
  const size_t n = chains.size();
  std::vector<size_t> next(n, 0);
  std::vector<int> pending(n, -1);
  std::vector<double> comm_end;
  double compute_free = 0, comm_free = 0;
  // Issues chain c's all-to-alls at its head, ready at `ready` (their producer is compute span `after`).
  auto issue = [&](size_t c, int after, double ready) {
    const auto& items = chains[c]->items();
    while (next[c] < items.size() && items[next[c]].comm) {
      const ChainItem& it = items[next[c]++];
      pending[c] = int(plan.comm.size());
      plan.comm.push_back({it.block, it.phase, after});
      comm_free = std::max(comm_free, ready) + phase_time_s(*it.block, it.phase);
      comm_end.push_back(comm_free);
    }
  };
  for (size_t c = 0; c < n; ++c) issue(c, -1, 0.0);
  size_t last = n - 1;  // the chain that ran last: as if the last one, so that the first chain goes first
  while (true) {
    size_t pick = n;
    double pick_ready = 0;
    for (size_t k = 0; k < n; ++k) {
      const size_t c = (last + 1 + k) % n;  // the chain after the last one first: ties alternate
      if (next[c] >= chains[c]->items().size()) continue;
      const double ready = std::max(compute_free, pending[c] >= 0 ? comm_end[size_t(pending[c])] : 0.0);
      if (pick == n || ready < pick_ready) pick = c, pick_ready = ready;
    }
    if (pick == n) break;
    const PassTimes& t = chains[pick]->items()[next[pick]++].time;
    const double ready_s = overlapped ? t.forward_s + t.backward_input_s : t.total_s();
    plan.compute.push_back({t, pending[pick], ready_s});
    pending[pick] = -1;
    compute_free = pick_ready + t.total_s();
    issue(pick, int(plan.compute.size()) - 1, pick_ready + ready_s);
    last = pick;
  }
  return plan;
}

UnitCost cost_of(const UnitPlan& plan) {
  UnitCost c;
  for (const ComputeSpan& s : plan.compute) {
    c.forward_s += s.time.forward_s;
    c.backward_input_s += s.time.backward_input_s;
    c.backward_weight_s += s.time.backward_weight_s;
  }
  c.exposed_comm_s =
      std::max(0.0, unit_timeline(plan).end_s - (c.forward_s + c.backward_input_s + c.backward_weight_s));
  return c;
}

}  // namespace

double Stage::compute_s() const {
  double t = 0;
  for (const auto& b : blocks) t += b.compute_s();
  return t;
}

namespace {

// Interleaved stages (stage s on rank s mod `ranks`): the min-max cut can leave one rank with a layer more
// than another, which idles the others for every micro-batch. Hill-climbs the cuts one layer at a time while
// that lowers the busiest rank's load, or keeps it and lowers the sum of squared rank loads (evens the others
// out), every stage keeping at least one layer and none exceeding `max_stage` (the min-max optimum: uneven
// chunks stall the interleaved order). Deterministic: cuts in order, -1 before +1.
template <class RunCost>
void balance_rank_loads(std::vector<int>& bound, int ranks, double max_stage, const RunCost& run_cost) {
  const int stages = static_cast<int>(bound.size()) - 1;
  auto score = [&] {
    std::vector<double> load(size_t(ranks), 0.0);
    for (int s = 0; s < stages; ++s) load[size_t(s % ranks)] += run_cost(s, bound[s], bound[s + 1]);
    double top = 0, squares = 0;
    for (double l : load) top = std::max(top, l), squares += l * l;
    return std::pair{top, squares};
  };
  auto better = [](std::pair<double, double> a, std::pair<double, double> b) {
    const double eps = 1e-12 * std::max(1.0, b.first);
    return a.first < b.first - eps || (a.first <= b.first + eps && a.second < b.second * (1 - 1e-12));
  };
  auto now = score();
  for (bool moved = true; moved;) {
    moved = false;
    for (int c = 1; c < stages; ++c) {
      for (int step : {-1, 1}) {
        const int to = bound[c] + step;
        if (to <= bound[c - 1] || to >= bound[c + 1]) continue;
        const int was = bound[c];
        bound[c] = to;
        if (std::max(run_cost(c - 1, bound[c - 1], bound[c]), run_cost(c, bound[c], bound[c + 1])) >
            max_stage * (1 + 1e-12)) {
          bound[c] = was;
          continue;
        }
        const auto next = score();
        if (better(next, now)) {
          now = next;
          moved = true;
        } else {
          bound[c] = was;
        }
      }
    }
  }
}

}  // namespace

std::vector<Stage> partition_stages(const std::vector<BlockCost>& blocks, int stages, int ranks) {
  // Layers are the blocks between the embedding (first) and the MTP/head tail.
  std::vector<const BlockCost*> layers, head_tail;
  const BlockCost* embedding = nullptr;
  for (const auto& b : blocks) {
    if (b.kind == BlockKind::embedding)
      embedding = &b;
    else if (b.kind == BlockKind::layer)
      layers.push_back(&b);
    else
      head_tail.push_back(&b);
  }
  const int n = static_cast<int>(layers.size());
  if (stages < 1 || n < stages) throw std::logic_error("partition_stages: fewer layers than stages");
  double head_cost = 0;
  for (const auto* b : head_tail) head_cost += b->compute_s();
  const double emb_cost = embedding ? embedding->compute_s() : 0.0;
  std::vector<double> prefix(n + 1, 0.0);
  for (int i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + layers[i]->compute_s();
  auto run_cost = [&](int s, int from, int to) {  // layers [from, to) on stage s
    double c = prefix[to] - prefix[from];
    if (s == 0) c += emb_cost;
    if (s == stages - 1) c += head_cost;
    return c;
  };
  constexpr double kInf = std::numeric_limits<double>::infinity();
  // best[s][i]: min over cuts of the max stage cost with stages 0..s holding layers [0, i).
  std::vector<std::vector<double>> best(stages, std::vector<double>(n + 1, kInf));
  std::vector<std::vector<int>> cut(stages, std::vector<int>(n + 1, 0));
  for (int i = 1; i <= n; ++i) best[0][i] = run_cost(0, 0, i);
  for (int s = 1; s < stages; ++s) {
    for (int i = s + 1; i <= n; ++i) {
      for (int j = s; j < i; ++j) {
        const double v = std::max(best[s - 1][j], run_cost(s, j, i));
        if (v < best[s][i]) {
          best[s][i] = v;
          cut[s][i] = j;
        }
      }
    }
  }
  // The cut positions: bound[s] = first layer of stage s, bound[stages] = n.
  std::vector<int> bound(stages + 1, n);
  for (int s = stages - 1, end = n; s >= 0; --s) {
    bound[s] = s == 0 ? 0 : cut[s][end];
    end = bound[s];
  }
  if (ranks > 0 && stages > ranks) balance_rank_loads(bound, ranks, best[stages - 1][n], run_cost);
  std::vector<Stage> out(stages);
  int end = n;
  for (int s = stages - 1; s >= 0; --s) {
    const int begin = bound[s];
    if (s == 0 && embedding) out[s].blocks.push_back(*embedding);
    for (int i = begin; i < end; ++i) out[s].blocks.push_back(*layers[i]);
    if (s == stages - 1)
      for (const auto* b : head_tail) out[s].blocks.push_back(*b);
    out[s].first_layer = layers[begin]->layer;
    out[s].last_layer = layers[end - 1]->layer;
    end = begin;
  }
  return out;
}

std::string_view to_string(AllToAllPhase phase) {
  switch (phase) {
    case AllToAllPhase::dispatch:
      return "DISPATCH(F)";
    case AllToAllPhase::combine:
      return "COMBINE(F)";
    case AllToAllPhase::combine_backward:
      return "COMBINE(B)";
    case AllToAllPhase::dispatch_backward:
      return "DISPATCH(B)";
  }
  return "?";
}

bool is_forward(AllToAllPhase phase) { return phase == AllToAllPhase::dispatch || phase == AllToAllPhase::combine; }

double phase_time_s(const BlockCost& b, AllToAllPhase phase) {
  switch (phase) {
    case AllToAllPhase::dispatch:
      return b.dispatch_s;
    case AllToAllPhase::combine:
      return b.combine_s;
    case AllToAllPhase::combine_backward:
      return b.combine_backward_s;
    case AllToAllPhase::dispatch_backward:
      return b.dispatch_backward_s;
  }
  return 0;
}

UnitTimeline unit_timeline(const UnitPlan& plan, double compute_factor, double comm_factor) {
  UnitTimeline t;
  t.compute_start_s.resize(plan.compute.size());
  t.comm_start_s.resize(plan.comm.size());
  std::vector<double> comm_end(plan.comm.size());
  for (size_t j = 1; j < plan.comm.size(); ++j) {
    if (plan.comm[j].after < plan.comm[j - 1].after) throw std::logic_error("unit_timeline: all-to-alls out of order");
  }
  double compute_free = 0, comm_free = 0;
  size_t j = 0;
  auto next_comm = [&] {
    const CommSpan& c = plan.comm[j];
    const double ready =
        c.after >= 0 ? t.compute_start_s.at(size_t(c.after)) + compute_factor * plan.compute[size_t(c.after)].ready_s
                     : 0.0;
    t.comm_start_s[j] = std::max(comm_free, ready);
    comm_free = comm_end[j] = t.comm_start_s[j] + comm_factor * c.time_s();
    ++j;
  };
  for (size_t k = 0; k < plan.compute.size(); ++k) {
    while (j < plan.comm.size() && plan.comm[j].after < int(k)) next_comm();
    const ComputeSpan& s = plan.compute[k];
    const double ready = s.waits_for >= 0 ? comm_end.at(size_t(s.waits_for)) : 0.0;
    t.compute_start_s[k] = std::max(compute_free, ready);
    compute_free = t.compute_start_s[k] + compute_factor * s.time_s();
  }
  while (j < plan.comm.size()) next_comm();
  t.end_s = std::max(compute_free, comm_free);
  return t;
}

UnitPlan unit_plan(const schedule::Unit& unit, const std::vector<Stage>& stages) {
  const Stage& first = stages.at(unit.first.stage);
  if (unit.kind != schedule::UnitKind::kForwardBackward) {
    const Chain c = pass_chain(unit.first.kind, first, false);
    return lay_out({&c}, false);
  }
  // Figure 4: the forward chunk's components interleaved with the backward chunk's, both beside the
  // all-to-alls (communication SMs taken). The backward goes first on a tie: its leading compute (the
  // head's or a residual's backward) issues its first COMBINE(B), which then runs under ATTN(F).
  const Chain f = pass_chain(unit.first.kind, first, true);
  const Chain b = pass_chain(unit.second->kind, stages.at(unit.second->stage), true);
  return lay_out({&b, &f}, true);
}

UnitCost unit_cost(const schedule::Unit& unit, const std::vector<Stage>& stages) {
  return cost_of(unit_plan(unit, stages));
}

const UnitPlans::Entry& UnitPlans::entry(const schedule::Unit& unit) {
  const std::array<int, 5> key = {int(unit.kind), int(unit.first.kind), unit.first.stage,
                                  unit.second ? int(unit.second->kind) : -1, unit.second ? unit.second->stage : -1};
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    UnitPlan plan = unit_plan(unit, stages_);
    const UnitCost cost = cost_of(plan);
    it = cache_.emplace(key, Entry{std::move(plan), cost}).first;
  }
  return it->second;
}

}  // namespace fathom::models::training
