// Structure of the pipeline schedules of models/schedule: unit counts, ordering rules, validation,
// task-graph shape and the activation column of published-figures.md §3d (K30-K33).

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <tuple>
#include <vector>

#include "models/schedule/evaluator.h"
#include "models/schedule/registry.h"
#include "models/schedule/schedule.h"
#include "models/schedule/task_graph.h"
#include "sim/error.h"

using namespace fathom::models::schedule;

namespace {

// Per rank and phase: the number of forwards and backwards (full, input-only or inside F&B).
std::map<std::tuple<int, int, char>, int> count_passes(const Schedule& s) {
  std::map<std::tuple<int, int, char>, int> n;
  for (int r = 0; r < s.ranks; ++r) {
    for (const Unit& u : s.per_rank[r]) {
      auto add = [&](const Pass& p) {
        const char k = p.kind == PassKind::kForward ? 'F' : p.kind == PassKind::kWeight ? 'W' : 'B';
        ++n[{r, p.phase, k}];
      };
      add(u.first);
      if (u.second) add(*u.second);
    }
  }
  return n;
}

// Every W runs on the same rank after its backward; every input-only B has exactly one W.
void check_weights_follow_backwards(const Schedule& s) {
  for (int r = 0; r < s.ranks; ++r) {
    std::map<std::pair<int, int>, int> pending;  // (micro-batch, stage) -> open input-only backwards
    for (const Unit& u : s.per_rank[r]) {
      for (const Pass* p : {&u.first, u.second ? &*u.second : nullptr}) {
        if (!p) continue;
        if (p->kind == PassKind::kBackwardInput) ++pending[{p->micro_batch, p->stage}];
        if (p->kind == PassKind::kWeight) {
          INFO("rank " << r << " W of micro-batch " << p->micro_batch);
          REQUIRE(pending[{p->micro_batch, p->stage}] == 1);
          --pending[{p->micro_batch, p->stage}];
        }
      }
    }
    for (const auto& [key, open] : pending) REQUIRE(open == 0);
  }
}

}  // namespace

TEST_CASE("schedule generators validate their parameters with one-line InputErrors", "[unit]") {
  CHECK_THROWS_AS(make_1f1b({0, 4}), fathom::InputError);
  CHECK_THROWS_AS(make_zb1p({4, 0}), fathom::InputError);
  CHECK_THROWS_AS(make_dualpipe({3, 12}), fathom::InputError);  // odd ranks
  CHECK_THROWS_AS(make_dualpipe({4, 9}), fathom::InputError);   // odd micro-batches
  CHECK_THROWS_AS(make_dualpipe({4, 6}), fathom::InputError);   // C < 2P
  CHECK_THROWS_AS(make_dualpipev({4, 7}), fathom::InputError);  // C < 2P
  CHECK_NOTHROW(make_dualpipe({4, 10}));                        // C need not be a multiple of P
  CHECK_NOTHROW(make_dualpipev({3, 7}));                        // DualPipeV: C may be odd, P may be odd
  CHECK_NOTHROW(make_1f1b({4, 2}));                             // fewer micro-batches than ranks is legal
  CHECK_THROWS_WITH(make_dualpipe({4, 6}), Catch::Contains("micro_batches >= 2 * ranks"));
  CHECK_THROWS_AS(make_interleaved_1f1b({4, 6, 2}), fathom::InputError);  // C not a multiple of P (Megatron)
  CHECK_THROWS_WITH(make_interleaved_1f1b({4, 6, 2}), Catch::Contains("micro_batches must be a multiple of ranks"));
  CHECK_THROWS_AS(make_interleaved_1f1b({4, 8, 0}), fathom::InputError);
  CHECK_NOTHROW(make_interleaved_1f1b({4, 8, 3}));
}

TEST_CASE("interleaved 1F1B: v chunks per rank at stages c·P + r, m passes each, Megatron's warm-up", "[unit]") {
  for (auto [P, m, v] : {std::tuple{2, 2, 2}, {4, 8, 2}, {8, 16, 4}, {3, 6, 3}, {4, 4, 1}}) {
    INFO("P=" << P << " m=" << m << " v=" << v);
    const Schedule s = make_interleaved_1f1b({P, m, v});
    CHECK(s.stages == P * v);
    CHECK(s.chunks_per_rank == v);
    const auto n = count_passes(s);
    const auto held = held_stages(s);
    for (int r = 0; r < P; ++r) {
      std::vector<int> expect;
      for (int c = 0; c < v; ++c) {
        expect.push_back(c * P + r);
        CHECK(n.at({r, c, 'F'}) == m);
        CHECK(n.at({r, c, 'B'}) == m);
      }
      CHECK(held[r] == expect);
      // Megatron's warm-up: 2(P-r-1) + (v-1)P forwards before the first backward (capped at m·v).
      const int warmup = std::min(2 * (P - r - 1) + (v - 1) * P, m * v);
      for (int i = 0; i < warmup; ++i) CHECK(s.per_rank[r][i].kind == UnitKind::kForward);
      if (warmup < m * v) CHECK(s.per_rank[r][warmup + 1].kind == UnitKind::kBackwardFull);
      // Peak chunk activations: the warm-up plus the first steady forward.
      CHECK(peak_activations(s)[r] == std::min(warmup + 1, m * v));
    }
    CHECK(is_acyclic(build_task_graph(s)));
  }
  // v = 1 is not Megatron's 1F1B: its warm-up is 2(P-r-1) forwards, not P-r-1 (the same passes, reordered).
  const Schedule one = make_interleaved_1f1b({4, 8, 1});
  CHECK(one.per_rank[0][5].kind == UnitKind::kForward);                     // the 6th forward of rank 0 (warm-up 6)
  CHECK(make_1f1b({4, 8}).per_rank[0][4].kind == UnitKind::kBackwardFull);  // 1F1B: B after 3 + 1 forwards
}

TEST_CASE("DualPipe: every rank runs C/2 forwards and backwards per phase, two chunks each", "[unit]") {
  for (auto [P, C] : {std::pair{2, 4}, {4, 8}, {4, 10}, {8, 20}, {8, 16}, {6, 18}}) {
    const Schedule s = make_dualpipe({P, C});
    REQUIRE(s.stages == P);
    REQUIRE(s.chunks_per_rank == 2);
    const auto n = count_passes(s);
    for (int r = 0; r < P; ++r) {
      for (int phase = 0; phase < 2; ++phase) {
        CHECK(n.at({r, phase, 'F'}) == C / 2);
        CHECK(n.at({r, phase, 'B'}) == C / 2);
      }
    }
    check_weights_follow_backwards(s);
  }
}

TEST_CASE("DualPipe: step table shape (rank 0 of P=8, C=20) and the middle ranks' non-overlapped unit", "[unit]") {
  const Schedule s = make_dualpipe({8, 20});
  const auto& r0 = s.per_rank[0];
  // Step 1: 2(H-h-1) = 6 F0; step 2: F0 F1; step 3: (B1 W F1) x 3.
  for (int i = 0; i < 6; ++i) CHECK(to_string(r0[i]) == "F0/" + std::to_string(i));
  CHECK(to_string(r0[6]) == "F0/6");
  CHECK(to_string(r0[7]) == "F1/10");
  CHECK(to_string(r0[8]) == "Bi1/10");
  CHECK(to_string(r0[9]) == "W1/10");
  CHECK(to_string(r0[10]) == "F1/11");
  // Step 4 starts overlapped on rank 0 ...
  CHECK(r0[17].kind == UnitKind::kForwardBackward);
  // ... but not on the middle ranks (h = H-1): F0 then B1 alone.
  for (int r : {3, 4}) {
    const auto& units = s.per_rank[r];
    // Steps 1 and 3 are empty for h = H-1; step 2 has 2H = 8 forwards.
    CHECK(units[8].kind == UnitKind::kForward);
    CHECK(units[9].kind == UnitKind::kBackwardFull);
    CHECK(units[10].kind == UnitKind::kForwardBackward);
  }
  // The last unit of every rank is a W (step 8).
  for (const auto& units : s.per_rank) CHECK(units.back().kind == UnitKind::kWeight);
}

TEST_CASE("DualPipeV: every rank runs C forwards and backwards per chunk over a V of 2P stages", "[unit]") {
  for (auto [P, C] : {std::pair{1, 2}, {2, 4}, {3, 7}, {4, 8}, {4, 13}}) {
    const Schedule s = make_dualpipev({P, C});
    REQUIRE(s.stages == 2 * P);
    const auto n = count_passes(s);
    for (int r = 0; r < P; ++r) {
      for (int phase = 0; phase < 2; ++phase) {
        CHECK(n.at({r, phase, 'F'}) == C);
        CHECK(n.at({r, phase, 'B'}) == C);
      }
      CHECK(s.per_rank[r].front().first.stage == r);
    }
    check_weights_follow_backwards(s);
  }
}

TEST_CASE("1F1B and ZB1P: C forwards and C backwards per rank, ZB1P W's follow their B's", "[unit]") {
  for (auto [P, C] : {std::pair{1, 1}, {4, 2}, {4, 4}, {4, 9}, {8, 24}}) {
    for (const Schedule& s : {make_1f1b({P, C}), make_zb1p({P, C})}) {
      const auto n = count_passes(s);
      for (int r = 0; r < P; ++r) {
        CHECK(n.at({r, 0, 'F'}) == C);
        CHECK(n.at({r, 0, 'B'}) == C);
      }
      check_weights_follow_backwards(s);
    }
  }
}

TEST_CASE("task graphs of all five schedules are acyclic with the expected edges", "[unit]") {
  for (const auto& entry : schedule_registry().entries()) {
    for (auto [P, C] : {std::pair{2, 4}, {4, 8}, {4, 12}, {8, 20}, {8, 24}}) {
      if (entry.name == "interleaved_1f1b" && C % P != 0) continue;  // Megatron: C a multiple of P
      INFO(entry.name << " P=" << P << " C=" << C);
      const Schedule s = entry.make({P, C, entry.name == "interleaved_1f1b" ? 3 : 1});
      const TaskGraph g = build_task_graph(s);
      std::size_t units = 0;
      for (const auto& rank : s.per_rank) units += rank.size();
      REQUIRE(boost::num_vertices(g) == units);
      REQUIRE(is_acyclic(g));
      // Every forward but the first stage's has an activation in-edge from another vertex.
      for (TaskVertex v = 0; v < boost::num_vertices(g); ++v) {
        const Pass& p = g[v].unit.first;
        if (p.kind != PassKind::kForward || p.stage == 0) continue;
        bool has_activation = false;
        for (auto [ei, ee] = boost::in_edges(v, g); ei != ee; ++ei) {
          has_activation |= g[*ei].kind == DependencyKind::kActivation;
        }
        CHECK(has_activation);
      }
    }
  }
}

TEST_CASE("a schedule whose program order contradicts its data flow is reported as a cycle", "[unit]") {
  Schedule s = make_1f1b({2, 2});
  // Rank 1 now runs its backward of micro-batch 0 before its forward: B needs F on the same stage.
  std::swap(s.per_rank[1][0], s.per_rank[1][1]);
  const TaskGraph g = build_task_graph(s);
  CHECK_FALSE(is_acyclic(g));
  CHECK_THROWS_AS(evaluate(g, UnitDurations{1, 2, 0, 0}), std::logic_error);
}

TEST_CASE("activation peaks match K30-K33: PP, PP, PP+1, PP+1", "[unit]") {
  for (int P : {2, 4, 6, 8, 16}) {
    const int C = 3 * P;
    CHECK(peak_activations(make_1f1b({P, C}))[0] == P);
    CHECK(peak_activations(make_zb1p({P, C}))[0] == P);
    const auto dp = peak_activations(make_dualpipe({P, C + C % 2}));
    for (int a : dp) CHECK(a == P + 1);
    // DualPipeV: PP = 2 x devices stages.
    const auto dpv = peak_activations(make_dualpipev({P / 2, C}));
    for (int a : dpv) CHECK(a == P + 1);
  }
}

TEST_CASE("schedule registry lists the five schedules", "[unit]") {
  const auto& reg = schedule_registry();
  CHECK(reg.kind() == "schedule");
  for (const char* name : {"1f1b", "zb1p", "dualpipe", "dualpipev", "interleaved_1f1b"}) {
    const auto* e = reg.find(name);
    REQUIRE(e != nullptr);
    CHECK_FALSE(e->description.empty());
    CHECK(e->make({4, 8}).name == name);
  }
  CHECK_THROWS_AS(reg.get("gpipe", "run.schedule"), fathom::InputError);
}

TEST_CASE("each schedule's registry traits state what its generator takes and builds", "[unit]") {
  const auto takes = [](const auto& entry, int P, int C, int v) {
    try {
      entry.make({P, C, v});
      return true;
    } catch (const fathom::InputError&) {
      return false;
    }
  };
  for (const auto& entry : schedule_registry().entries()) {
    const ScheduleTraits& t = entry.make.traits;
    CHECK(&schedule_traits(entry.name) == &t);
    for (int P : {1, 2, 3, 4, 6}) {
      for (int v : {1, 2, 3}) {
        INFO(entry.name << " P=" << P << " v=" << v);
        const bool ranks_ok = !t.even_ranks || (P >= 2 && P % 2 == 0);
        for (int C = 1; C <= 4 * P + 1; ++C) {
          const bool accepted = ranks_ok && C >= t.min_micro_batches_per_rank * P &&
                                (!t.even_micro_batches || C % 2 == 0) &&
                                (!t.micro_batches_multiple_of_ranks || C % P == 0);
          INFO("C=" << C);
          REQUIRE(takes(entry, P, C, v) == accepted);
          if (!accepted) continue;
          const Schedule s = entry.make({P, C, v});
          CHECK(s.stages == t.stages(P, v));
          CHECK((t.virtual_stages ? s.chunks_per_rank == v : true));
        }
      }
    }
  }
  CHECK(virtual_stage_schedules() == "\"interleaved_1f1b\"");
  CHECK_THROWS_AS(schedule_traits("gpipe"), fathom::InputError);
}
