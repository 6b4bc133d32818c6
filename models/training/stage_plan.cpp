#include "models/training/stage_plan.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace fathom::models::training {
namespace {

using schedule::PassKind;

// A standalone pass: per block, its compute, then its own all-to-alls (exposed).
void single_pass(PassKind kind, const Stage& s, std::vector<UnitSegment>& out, UnitCost& c) {
  for (const BlockCost& b : s.blocks) {
    UnitSegment seg;
    switch (kind) {
      case PassKind::kForward:
        c.forward_s += b.forward_s;
        seg.compute_s = b.forward_s;
        seg.forward_comm = &b;
        break;
      case PassKind::kBackwardFull:
        c.backward_input_s += b.backward_input_s;
        c.backward_weight_s += b.backward_weight_s;
        seg.compute_s = b.backward_input_s + b.backward_weight_s;
        seg.backward_comm = &b;
        break;
      case PassKind::kBackwardInput:
        c.backward_input_s += b.backward_input_s;
        seg.compute_s = b.backward_input_s;
        seg.backward_comm = &b;
        break;
      case PassKind::kWeight:
        c.backward_weight_s += b.backward_weight_s;
        seg.compute_s = b.backward_weight_s;
        break;
    }
    out.push_back(seg);
  }
}

// V3TR §3.2.1 Figure 4: forward blocks in order against backward blocks in reverse order.
// Both passes' compute at the SMs left beside communication (BlockCost::overlapped).
void overlapped_pair(const Stage& fwd, const Stage& bwd, std::vector<UnitSegment>& out, UnitCost& c) {
  const size_t nf = fwd.blocks.size(), nb = bwd.blocks.size();
  const size_t n = std::max(nf, nb);
  for (size_t i = 0; i < n; ++i) {
    const BlockCost* f = i < nf ? &fwd.blocks[i] : nullptr;
    const BlockCost* b = i < nb ? &bwd.blocks[nb - 1 - i] : nullptr;
    UnitSegment seg;
    seg.overlapped = f && b;
    if (f) {
      c.forward_s += f->overlapped.forward_s;
      seg.compute_s += f->overlapped.forward_s;
      seg.forward_comm = f;
    }
    if (b) {
      c.backward_input_s += b->overlapped.backward_input_s;
      c.backward_weight_s += b->overlapped.backward_weight_s;
      seg.compute_s += b->overlapped.backward_input_s + b->overlapped.backward_weight_s;
      seg.backward_comm = b;
    }
    out.push_back(seg);
  }
}

UnitCost split_unit(const schedule::Unit& unit, const std::vector<Stage>& stages, std::vector<UnitSegment>& segments) {
  UnitCost c;
  const Stage& first = stages.at(unit.first.stage);
  if (unit.kind != schedule::UnitKind::kForwardBackward) {
    single_pass(unit.first.kind, first, segments, c);
  } else {
    overlapped_pair(first, stages.at(unit.second->stage), segments, c);
  }
  double total = 0;
  for (const UnitSegment& seg : segments) total += seg.time_s();
  c.exposed_comm_s = std::max(0.0, total - (c.forward_s + c.backward_input_s + c.backward_weight_s));
  return c;
}

}  // namespace

double Stage::compute_s() const {
  double t = 0;
  for (const auto& b : blocks) t += b.compute_s();
  return t;
}

std::vector<Stage> partition_stages(const std::vector<BlockCost>& blocks, int stages) {
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
  std::vector<Stage> out(stages);
  int end = n;
  for (int s = stages - 1; s >= 0; --s) {
    const int begin = s == 0 ? 0 : cut[s][end];
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

double UnitSegment::comm_s() const {
  return (forward_comm ? forward_comm->forward_comm_s : 0.0) + (backward_comm ? backward_comm->backward_comm_s : 0.0);
}

double UnitSegment::time_s() const { return overlapped ? std::max(compute_s, comm_s()) : compute_s + comm_s(); }

UnitCost unit_cost(const schedule::Unit& unit, const std::vector<Stage>& stages) {
  std::vector<UnitSegment> segments;
  return split_unit(unit, stages, segments);
}

std::vector<UnitSegment> unit_segments(const schedule::Unit& unit, const std::vector<Stage>& stages) {
  std::vector<UnitSegment> segments;
  split_unit(unit, stages, segments);
  return segments;
}

}  // namespace fathom::models::training
