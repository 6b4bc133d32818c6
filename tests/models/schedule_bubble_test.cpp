// Bubbles of the four schedules, evaluated on their task graphs with zero communication time, against
// the published formulas K30-K33 (published-figures.md §3d; DualPipe README; DeepSeek-V3 report Table 2).
//
// The published formulas hold exactly only under the relations the figures were drawn with; the exact
// result of the graph for any durations is the closed form tested alongside (docs/schedules.md §4):
//   1F1B       (P-1)(F+B)                                   always.
//   ZB1P       (P-1) max(F, B-W, F+B-2W);  = (P-1)(F+B-2W)  iff W <= F and W <= B-W.
//   DualPipe   max(k(F&B+F-B), k(F&B+F-2W), k(F&B+B-3W)-F, k(F&B-W)-F, 0), k = P/2-1 (DualPipeV: k = P-1,
//              i.e. PP/2-1 with PP = 2P stages);  = k(F&B+B-3W)  iff F = B-W and 2W <= B,
//              for max(F, B) <= F&B <= F+B.
// Bubble = makespan - busy time of a rank; the published convention is the largest over ranks (for DualPipe
// the middle ranks). All durations are small binary fractions, so doubles are exact.

#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "models/schedule/bubble.h"
#include "models/schedule/evaluator.h"
#include "models/schedule/schedule.h"
#include "sim/error.h"

using namespace fathom::models::schedule;

namespace {

// The production closed forms (models/schedule/bubble.h), by schedule.
double zb1p_closed_form(int P, const UnitDurations& d) { return closed_form_bubble(make_zb1p({P, 4 * P}), d); }

double dualpipe_closed_form(int k, const UnitDurations& d) {
  // k = P/2 - 1 for DualPipe on P ranks.
  return closed_form_bubble(make_dualpipe({2 * (k + 1), 4 * (k + 1)}), d);
}

double dualpipev_closed_form(int k, const UnitDurations& d) {
  // k = P - 1 for DualPipeV on P ranks.
  return closed_form_bubble(make_dualpipev({k + 1, 2 * (k + 1)}), d);
}

double published_dualpipe(int pp_stages, const UnitDurations& d) {
  return (pp_stages / 2 - 1) * (d.forward_backward_s + d.backward_s - 3 * d.weight_s);
}

// Durations spanning the whole admissible range: W <= B, max(F, B) <= F&B <= F+B.
std::vector<UnitDurations> general_durations() {
  std::vector<UnitDurations> out;
  for (double F : {0.5, 1.0, 2.0, 3.5}) {
    for (double B : {1.0, 2.0, 3.0, 5.5}) {
      for (double W : {0.0, 0.25 * B, 0.5 * B, 0.75 * B}) {
        const double lo = std::max(F, B);
        for (double FB : {lo, (lo + F + B) / 2, F + B}) out.push_back({F, B, W, FB});
      }
    }
  }
  return out;
}

// Durations satisfying the published DualPipe formula's relations: F = B - W, 2W <= B, F&B in [max(F,B), F+B].
std::vector<UnitDurations> dualpipe_figure_durations() {
  std::vector<UnitDurations> out;
  for (double W : {0.5, 1.0, 2.0}) {
    for (double b : {W, 1.5 * W, 3.0 * W}) {  // b = B - W = F >= W
      const double F = b, B = b + W;
      for (double FB : {B, B + 0.5 * F, F + B - 0.25, F + B}) out.push_back({F, B, W, FB});
    }
  }
  return out;
}

}  // namespace

TEST_CASE("K30: 1F1B bubble is (P-1)(F+B) on every rank, for any F and B", "[unit]") {
  for (int P : {1, 2, 3, 4, 8}) {
    for (int C : {P, P + 1, 2 * P, 3 * P + 2}) {
      const Schedule s = make_1f1b({P, C});
      for (auto [F, B] : {std::pair{1.0, 2.0}, {2.0, 1.0}, {1.5, 3.25}, {3.0, 3.0}}) {
        INFO("P=" << P << " C=" << C << " F=" << F << " B=" << B);
        const Evaluation e = evaluate(s, {F, B, 0, 0});
        for (double bubble : e.bubble_s) CHECK(bubble == Approx((P - 1) * (F + B)).margin(1e-12));
        CHECK(closed_form_bubble(s, {F, B, 0, 0}) == Approx((P - 1) * (F + B)).margin(1e-12));
        CHECK(e.makespan_s == Approx(C * (F + B) + (P - 1) * (F + B)).margin(1e-12));
      }
    }
  }
}

TEST_CASE("K31: ZB1P bubble is (P-1)(F+B-2W) when W <= F and W <= B-W", "[unit]") {
  for (int P : {1, 2, 3, 4, 8}) {
    for (int C : {P, P + 1, 2 * P, 3 * P + 1}) {
      const Schedule s = make_zb1p({P, C});
      for (const UnitDurations& d : general_durations()) {
        INFO("P=" << P << " C=" << C << " F=" << d.forward_s << " B=" << d.backward_s << " W=" << d.weight_s);
        const Evaluation e = evaluate(s, d);
        CHECK(e.max_bubble_s == Approx(zb1p_closed_form(P, d)).margin(1e-12));
        CHECK(e.bubble_s[0] == Approx(e.max_bubble_s).margin(1e-12));
        const double F = d.forward_s, B = d.backward_s, W = d.weight_s;
        if (W <= F && W <= B - W) CHECK(e.max_bubble_s == Approx((P - 1) * (F + B - 2 * W)).margin(1e-12));
      }
    }
  }
  // Outside the condition the published formula undercounts: with W > F the forward chain dominates.
  const Evaluation e = evaluate(make_zb1p({4, 8}), {1.0, 4.0, 2.0, 0});
  CHECK(e.max_bubble_s == Approx(3 * 2.0));     // (P-1) max(F, B-W, F+B-2W) = 3 x 2
  CHECK((4 - 1) * (1.0 + 4.0 - 2 * 2.0) == 3);  // the published formula would give 3
}

TEST_CASE("K32: DualPipe bubble is (P/2-1)(F&B+B-3W) when F = B-W and 2W <= B", "[unit]") {
  for (int P : {2, 4, 6, 8, 10}) {
    for (int C : {2 * P, 2 * P + 2, 4 * P}) {
      const Schedule s = make_dualpipe({P, C});
      for (const UnitDurations& d : dualpipe_figure_durations()) {
        INFO("P=" << P << " C=" << C << " F=" << d.forward_s << " B=" << d.backward_s << " W=" << d.weight_s
                  << " F&B=" << d.forward_backward_s);
        const Evaluation e = evaluate(s, d);
        CHECK(e.max_bubble_s == Approx(published_dualpipe(P, d)).margin(1e-12));
        // The largest bubble is on the middle ranks.
        CHECK(e.bubble_s[P / 2 - 1] == Approx(e.max_bubble_s).margin(1e-12));
      }
    }
  }
}

TEST_CASE("DualPipe bubble for any durations: the closed form of the graph", "[unit]") {
  for (int P : {2, 4, 8}) {
    const Schedule s = make_dualpipe({P, 2 * P + 2});
    for (const UnitDurations& d : general_durations()) {
      INFO("P=" << P << " F=" << d.forward_s << " B=" << d.backward_s << " W=" << d.weight_s
                << " F&B=" << d.forward_backward_s);
      CHECK(evaluate(s, d).max_bubble_s == Approx(dualpipe_closed_form(P / 2 - 1, d)).margin(1e-12));
    }
  }
  // A case off the figure's relations (F > B-W): the published formula gives 3, the graph 4.5.
  const Evaluation e = evaluate(make_dualpipe({8, 20}), {1.0, 1.0, 0.5, 1.5});
  CHECK(e.max_bubble_s == Approx(4.5));
  CHECK(published_dualpipe(8, {1.0, 1.0, 0.5, 1.5}) == Approx(3.0));
}

TEST_CASE("K33: DualPipeV on P devices (PP = 2P stages) has DualPipe's bubble with PP/2-1 = P-1", "[unit]") {
  for (int P : {1, 2, 3, 4, 5}) {
    for (int C : {2 * P, 2 * P + 1, 4 * P + 3}) {
      const Schedule s = make_dualpipev({P, C});
      for (const UnitDurations& d : dualpipe_figure_durations()) {
        INFO("P=" << P << " C=" << C << " F=" << d.forward_s << " B=" << d.backward_s << " W=" << d.weight_s
                  << " F&B=" << d.forward_backward_s);
        CHECK(evaluate(s, d).max_bubble_s == Approx(published_dualpipe(2 * P, d)).margin(1e-12));
      }
    }
    const Schedule s = make_dualpipev({P, 2 * P + 1});
    for (const UnitDurations& d : general_durations()) {
      CHECK(evaluate(s, d).max_bubble_s == Approx(dualpipev_closed_form(P - 1, d)).margin(1e-12));
    }
  }
}

TEST_CASE("DualPipeV on P ranks times exactly like DualPipe on 2P ranks with the same micro-batches", "[unit]") {
  for (const UnitDurations& d : general_durations()) {
    CHECK(evaluate(make_dualpipev({4, 10}), d).makespan_s ==
          Approx(evaluate(make_dualpipe({8, 20}), d).makespan_s).margin(1e-12));
  }
}

TEST_CASE("bubbles do not grow with the micro-batch count, makespan = busy + bubble", "[unit]") {
  const UnitDurations d{1.0, 2.5, 0.75, 3.0};
  for (int P : {4, 8}) {
    const Evaluation base = evaluate(make_dualpipe({P, 2 * P}), d);
    for (int C : {2 * P + 2, 3 * P, 6 * P}) {
      const Evaluation e = evaluate(make_dualpipe({P, C}), d);
      for (int r = 0; r < P; ++r) {
        CHECK(e.bubble_s[r] == Approx(base.bubble_s[r]).margin(1e-12));
        CHECK(e.makespan_s == Approx(e.busy_s[r] + e.bubble_s[r]).margin(1e-12));
      }
    }
    const Evaluation zb = evaluate(make_zb1p({P, P}), d);
    CHECK(evaluate(make_zb1p({P, 5 * P}), d).max_bubble_s == Approx(zb.max_bubble_s).margin(1e-12));
  }
}

TEST_CASE("evaluator rejects impossible durations", "[unit]") {
  CHECK_THROWS_AS(evaluate(make_1f1b({2, 2}), {1.0, 1.0, 2.0, 0}), fathom::InputError);
  CHECK_THROWS_AS(evaluate(make_1f1b({2, 2}), {-1.0, 1.0, 0.0, 0}), fathom::InputError);
}

// Interleaved 1F1B (Narayanan et al. 2021 §2.2.2): F and B are the durations of ONE chunk (1/v of a rank's
// layers). Hand-computed case P=2, v=2, m=2, F=1, B=2 (stages 0..3; rank 0 holds 0 and 2, rank 1 holds 1 and 3):
//   rank 0: F0/0 [0,1] F0/1 [1,2] F1/0 [2,3] F1/1 [3,4] B1/0 [6,8] B1/1 [9,11] B0/0 [11,13] B0/1 [13,15]
//   rank 1: F0/0 [1,2] F0/1 [2,3] F1/0 [3,4] B1/0 [4,6] F1/1 [6,7] B1/1 [7,9] B0/0 [9,11] B0/1 [11,13]
// makespan 15 = m·v·(F+B) + (P-1)(F+B) = 12 + 3; every rank's bubble 3 = (P-1)(F+B). The same layers as plain
// 1F1B (one chunk of F=2, B=4 per rank) take 2·6 + 1·6 = 18 with bubble 6: v times the interleaved bubble.
TEST_CASE("interleaved 1F1B: the hand-computed P=2, v=2, m=2 step and its bubble", "[unit]") {
  const Schedule s = make_interleaved_1f1b({2, 2, 2});
  const Evaluation e = evaluate(s, {1, 2, 0, 0});
  CHECK(e.makespan_s == 15.0);
  CHECK(e.bubble_s == std::vector<double>{3.0, 3.0});
  CHECK(closed_form_bubble(s, {1, 2, 0, 0}) == 3.0);
  const Evaluation plain = evaluate(make_1f1b({2, 2}), {2, 4, 0, 0});
  CHECK(plain.makespan_s == 18.0);
  CHECK(plain.max_bubble_s == 6.0);
}

TEST_CASE("interleaved 1F1B bubble is (P-1)(F+B) per chunk = the 1F1B bubble / v, fraction (P-1)/(v m)", "[unit]") {
  for (int P : {1, 2, 3, 4, 8}) {
    for (int v : {1, 2, 3, 4}) {
      for (int m : {P, 2 * P, 3 * P}) {
        const Schedule s = make_interleaved_1f1b({P, m, v});
        for (auto [F, B] : {std::pair{1.0, 2.0}, {2.0, 1.0}, {1.5, 3.25}, {3.0, 3.0}}) {
          INFO("P=" << P << " v=" << v << " m=" << m << " F=" << F << " B=" << B);
          const Evaluation e = evaluate(s, {F, B, 0, 0});
          CHECK(e.max_bubble_s == Approx((P - 1) * (F + B)).margin(1e-12));
          CHECK(closed_form_bubble(s, {F, B, 0, 0}) == Approx(e.max_bubble_s).margin(1e-12));
          // Ideal time m·v·(F+B); bubble fraction (P-1)/(v·m) (the paper's t_pb / t_id).
          CHECK(e.max_bubble_s / (m * v * (F + B)) == Approx(double(P - 1) / (v * m)).margin(1e-12));
          // The same layers per rank without interleaving: chunk durations v·F, v·B.
          const Evaluation plain = evaluate(make_1f1b({P, m}), {v * F, v * B, 0, 0});
          CHECK(plain.max_bubble_s == Approx(v * e.max_bubble_s).margin(1e-12));
        }
      }
    }
  }
}
