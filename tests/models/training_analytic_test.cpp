// The analytic level of the training step (models/training/step_analytic.h): exact against the schedule
// evaluator for uniform stages without communication (tests/models/program_timing_test.cpp: also for non-uniform
// stages against the event level), and close to the event level on DeepSeek-V3.

#include <catch2/catch.hpp>

#include "models/schedule/evaluator.h"
#include "models/schedule/registry.h"
#include "models/training/step_analytic.h"
#include "models/training/training_run.h"
#include "support/shipped_hardware.h"

namespace tr = fathom::models::training;
namespace sch = fathom::models::schedule;

TEST_CASE("analytic step: uniform stages without communication give the evaluator's makespan", "[unit]") {
  const fathom::hw::KernelCostModel model = fathom::test::h800_cost_model();
  fathom::hw::NodeSpec node;
  tr::TrainingSpec spec;
  tr::TrainingLayout layout;
  const double F = 1.0, Bi = 1.5, W = 0.5;
  for (const char* name : {"1f1b", "zb1p", "dualpipe", "dualpipev"}) {
    for (int P : {2, 4, 8}) {
      const sch::Schedule s = sch::schedule_registry().get(name, "test").make(sch::ScheduleParams{P, 4 * P});
      std::vector<tr::Stage> stages(s.stages);
      for (int i = 0; i < s.stages; ++i) {
        tr::BlockCost b;
        b.layer = i;
        b.forward_s = F;
        b.backward_input_s = Bi;
        b.backward_weight_s = W;
        b.overlapped = {F, Bi, W};
        stages[i].blocks.push_back(b);
      }
      const tr::StepInputs in{s, stages, 0.0, spec, layout, node, model};
      const tr::StepResult a = tr::analytic_step(in);
      const sch::Evaluation e = sch::evaluate(s, sch::UnitDurations{F, Bi + W, W, F + Bi + W});
      INFO(name << " P=" << P);
      CHECK(a.pipeline_s == Approx(e.makespan_s).epsilon(1e-12));
      CHECK(a.pipeline_s == Approx(tr::simulate_step(in).pipeline_s).epsilon(1e-12));
      CHECK(a.tasks == 0);
      for (const auto& r : a.ranks) {
        const double parts = r.forward_s + r.backward_input_s + r.backward_weight_s + r.exposed_ep_comm_s + r.bubble_s +
                             r.exposed_dp_comm_s + r.optimizer_s;
        CHECK(parts <= a.step_s * (1 + 1e-12));
      }
    }
  }
}

// 0.5%: the analytic level times the schedule's program with each stage's own unit times (program_timing.h); what
// is left is the event level's pipeline links (two sends on one boundary queue there) and its all-to-all overlap:
// measured DualPipe -0.20%, the others within 0.01% (bench/analytic_agreement_bench). The closed forms over the
// largest stage (before) were 3.0% short on DualPipe: the head-heavy last stage.
TEST_CASE("analytic step: within 0.5% of the event level on DeepSeek-V3 for the four schedules", "[unit]") {
  const std::string scenario = std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain-2048xh800.json";
  for (const char* name : {"dualpipe", "1f1b", "zb1p", "dualpipev"}) {
    double step[2] = {0, 0};
    int i = 0;
    for (const char* level : {"event", "analytic"}) {
      fathom::ProvenanceLog log;
      tr::TrainingScenario s = tr::read_training_scenario(
          fathom::load_scenario(scenario, {std::string("fidelity=") + level, std::string("training.schedule=") + name}),
          log);
      s.spec.batch_ramp.reset();
      step[i++] = tr::predict_training(s).step.step_s;
    }
    INFO(name << ": event " << step[0] << " s, analytic " << step[1] << " s");
    CHECK(step[1] == Approx(step[0]).epsilon(0.005));
  }
}
