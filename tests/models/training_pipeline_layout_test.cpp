// training.pipeline_layout (issue #15, "interleaved 1F1B with MTP"): a user-written stage cut in Megatron-LM's
// syntax (models/training/pipeline_layout.h). Exact parser results, every refusal as one line, the invariant that
// writing the min-max cut as a layout changes nothing, and the TP2 PP8 VP4 H100 scenario with the MTP module and
// the head on a stage of their own. No published step time is asserted.

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "models/training/pipeline_layout.h"
#include "models/training/rank_memory.h"
#include "models/training/stage_plan.h"
#include "models/training/training_run.h"
#include "sim/error.h"
#include "support/training_blocks.h"

namespace tr = fathom::models::training;
using tr::LayoutStage;

namespace {

const std::string kVp4 = "deepseek-v3-pretrain-1024xh100-tp2-pp8-vp4.json";
const std::string kDualPipe = "deepseek-v3-pretrain-2048xh800.json";

tr::TrainingScenario read(const std::string& file, std::vector<std::string> sets = {}) {
  return fathom::test::read_training(file, std::move(sets));
}

std::string parse_error(const std::string& text) {
  try {
    tr::parse_pipeline_layout(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(parsed)";
}

double sum_parameters(const tr::TrainingMemory& m) {
  double sum = 0;
  for (const auto& r : m.per_rank) sum += r.parameters_bytes;
  return sum;
}

}  // namespace

TEST_CASE("pipeline_layout: Megatron-LM's PP16 VP2 example for DeepSeek-V3, stage by stage", "[unit]") {
  const tr::PipelineLayout l = tr::parse_pipeline_layout("Et|(tt|)*30mL");
  REQUIRE(l.stages.size() == 32);
  CHECK(l.stages.front() == LayoutStage{.embedding = true, .layers = 1});
  for (size_t s = 1; s <= 30; ++s) CHECK(l.stages[s] == LayoutStage{.layers = 2});
  CHECK(l.stages.back() == LayoutStage{.mtp = 1, .head = true});
  CHECK(l.text == "Et|(tt|)*30mL");
}

TEST_CASE("pipeline_layout: repeats of symbols and groups, cosmetic commas, empty stages", "[unit]") {
  const tr::PipelineLayout a = tr::parse_pipeline_layout("Et*3|(tt|)*29,m|L");
  REQUIRE(a.stages.size() == 32);
  CHECK(a.stages[0] == LayoutStage{.embedding = true, .layers = 3});
  CHECK(a.stages[29] == LayoutStage{.layers = 2});
  CHECK(a.stages[30] == LayoutStage{.mtp = 1});
  CHECK(a.stages[31] == LayoutStage{.head = true});
  // Nested groups multiply; a stage may be empty or hold only E.
  const tr::PipelineLayout b = tr::parse_pipeline_layout("E|((t|)*2)*2,|L");
  REQUIRE(b.stages.size() == 7);
  CHECK(b.stages[0] == LayoutStage{.embedding = true});
  for (size_t s = 1; s <= 4; ++s) CHECK(b.stages[s] == LayoutStage{.layers = 1});
  CHECK(b.stages[5] == LayoutStage{});
  CHECK(b.stages[6] == LayoutStage{.head = true});
  CHECK(tr::parse_pipeline_layout("Et*12L").stages == std::vector<LayoutStage>{{true, 12, 0, true}});
}

TEST_CASE("pipeline_layout: every syntax and order refusal is one line saying what and where", "[unit]") {
  CHECK(parse_error("Etx|L") == "unknown symbol 'x' at character 3 (E, t, m, L, '|', '(', ')', '*N', ',')");
  CHECK(parse_error("E(tt|L") == "unbalanced parenthesis: '(' at character 2 is not closed");
  CHECK(parse_error("Ett)|L") == "unbalanced parenthesis: ')' at character 4 closes nothing");
  CHECK(parse_error("E()*2tL") == "empty group '()' at character 2");
  CHECK(parse_error("Et*0L") == "bad repeat count at character 3: *0 (a count is at least 1)");
  CHECK(parse_error("Et*L") == "bad repeat count: '*' at character 3 is not followed by a number");
  CHECK(parse_error("E*2tL").find("E (the embedding) appears more than once") == 0);
  CHECK(parse_error("*3EtL") == "bad repeat count: '*' at character 1 follows no symbol or group");
  CHECK(parse_error("Et*2*3L") == "bad repeat count: '*' at character 5 follows no symbol or group");
  CHECK(parse_error("Et*99999999999L") == "bad repeat count at character 3: above 1000000");
  CHECK(parse_error("(Et*1000|)*1000L") == "bad repeat count: the layout expands to more than 1000000 symbols");
  CHECK(parse_error("") == "empty layout (leave the key out for the min-max partition)");
  CHECK(parse_error("tE|tL") == "E (the embedding) must be the first symbol, in stage 0");
  CHECK(parse_error("|EtL") == "E (the embedding) must be the first symbol, in stage 0");
  CHECK(parse_error("EtEtL") == "E (the embedding) appears more than once");
  CHECK(parse_error("tt|tL") == "no E (the embedding must be the first symbol, in stage 0)");
  CHECK(parse_error("Et|tt") == "no L (the loss must be the last symbol, in the last stage)");
  CHECK(parse_error("EtL|t") == "'t' after L: L (the loss) must be the last symbol");
  CHECK(parse_error("EtL|") == "L (the loss) must be in the last stage (a '|' follows it)");
  CHECK(parse_error("EtLL") == "L (the loss) appears more than once");
  CHECK(parse_error("Etmt|L") == "a decoder layer t after an MTP layer m (model order: E, t, m, L)");
}

TEST_CASE("pipeline_layout: the counts against the schedule and the model", "[unit]") {
  const tr::PipelineLayout l = tr::parse_pipeline_layout("Et|(tt|)*30mL");
  CHECK_FALSE(tr::pipeline_layout_mismatch(l, "interleaved_1f1b", 32, 8, 4, 61, 1));
  CHECK(tr::pipeline_layout_mismatch(l, "interleaved_1f1b", 16, 8, 2, 61, 1) ==
        "32 stages, but pp 8 x virtual_stages 2 = 16 (interleaved_1f1b)");
  CHECK(tr::pipeline_layout_mismatch(l, "interleaved_1f1b", 32, 8, 4, 60, 1) ==
        "61 decoder layers (t), but the model has 60");
  CHECK(tr::pipeline_layout_mismatch(l, "interleaved_1f1b", 32, 8, 4, 61, 0) ==
        "1 MTP layers (m), but the model runs none (model.mtp is off)");
  CHECK(tr::pipeline_layout_mismatch(l, "interleaved_1f1b", 32, 8, 4, 61, 2) ==
        "1 MTP layers (m), but the model has 2");
  CHECK(tr::pipeline_layout_mismatch(l, "dualpipev", 32, 16, 1, 61, 1)->find("dualpipev runs 2 x pp stages") == 0);
}

TEST_CASE("pipeline_layout in a scenario: one error line naming training.pipeline_layout", "[unit]") {
  const std::string f = kVp4 + ": training.pipeline_layout: ";
  CHECK_THROWS_WITH(read(kVp4, {"training.pipeline_layout=Et|(tt|)*30tL"}),
                    f + "62 decoder layers (t), but the model has 61");
  CHECK_THROWS_WITH(read(kVp4, {"training.pipeline_layout=Et|(tt|)*29mL"}),
                    f + "31 stages, but pp 8 x virtual_stages 4 = 32 (interleaved_1f1b)");
  CHECK_THROWS_WITH(read(kVp4, {"training.pipeline_layout=Et|(tt|)*30mL", "model.mtp=false"}),
                    f + "1 MTP layers (m), but the model runs none (model.mtp is off)");
  CHECK_THROWS_WITH(read(kVp4, {"training.pipeline_layout=Et|(tt|)*30qL"}),
                    f + "\"Et|(tt|)*30qL\": unknown symbol 'q' at character 12 (E, t, m, L, '|', '(', ')', '*N', ',')");
  CHECK_THROWS_WITH(read(kVp4, {"training.pipeline_layout=3"}), Catch::Contains(f + "expected a string"));
  CHECK_THROWS_WITH(read(kDualPipe, {"training.schedule=dualpipev", "training.pipeline_layout=Et*4|(tt*4|)*14,t*5mL"}),
                    Catch::Contains(kDualPipe + ": training.pipeline_layout: dualpipev runs 2 x pp stages in a V"));
}

TEST_CASE("pipeline_layout: writing the min-max cut as a layout gives the same stages and the same step", "[unit]") {
  for (const char* fidelity : {"analytic", "event"}) {
    const tr::TrainingScenario plain = read(kVp4, {std::string("fidelity=") + fidelity});
    const tr::TrainingPrediction p = tr::predict_training(plain);
    const std::string cut = tr::layout_of(p.stages);
    const tr::TrainingScenario written =
        read(kVp4, {std::string("fidelity=") + fidelity, "training.pipeline_layout=" + cut});
    const tr::TrainingPrediction q = tr::predict_training(written);
    REQUIRE(q.stages.size() == p.stages.size());
    for (size_t s = 0; s < p.stages.size(); ++s) {
      CHECK(q.stages[s].first_layer == p.stages[s].first_layer);
      CHECK(q.stages[s].last_layer == p.stages[s].last_layer);
      CHECK(q.stages[s].blocks.size() == p.stages[s].blocks.size());
    }
    CHECK(q.step.step_s == p.step.step_s);
    CHECK(tr::training_memory(written, q).per_rank.at(7).total_bytes ==
          tr::training_memory(plain, p).per_rank.at(7).total_bytes);
  }
  // DualPipe (PP16, stage i on ranks i and 15 - i): the same.
  const tr::TrainingScenario plain = read(kDualPipe, {"fidelity=analytic"});
  const tr::TrainingPrediction p = tr::predict_training(plain);
  const tr::TrainingPrediction q = tr::predict_training(
      read(kDualPipe, {"fidelity=analytic", "training.pipeline_layout=" + tr::layout_of(p.stages)}));
  CHECK(q.step.step_s == p.step.step_s);
}

TEST_CASE("pipeline_layout on TP2 PP8 VP4: the MTP module and the head on a stage of their own", "[unit]") {
  // Megatron-LM's example cut: E + 1 layer, 30 stages of 2 layers, then m + L alone (stage 31, rank 7).
  const std::string layout = "Et|(tt|)*30mL";
  for (const char* fidelity : {"analytic", "event"}) {
    const tr::TrainingScenario plain = read(kVp4, {std::string("fidelity=") + fidelity});
    const tr::TrainingScenario s =
        read(kVp4, {std::string("fidelity=") + fidelity, "training.pipeline_layout=" + layout});
    const tr::TrainingPrediction p = tr::predict_training(plain);
    const tr::TrainingPrediction q = tr::predict_training(s);
    REQUIRE(q.stages.size() == 32);
    CHECK(tr::layout_of(q.stages) ==
          "Et|tt|tt|tt|tt|tt|tt|tt|tt|tt|tt|tt|tt|tt|tt|tt|tt|tt|tt|tt|tt|tt|tt|tt|tt|tt|tt|"
          "tt|tt|tt|tt|mL");
    CHECK(q.stages[0].first_layer == 0);
    CHECK(q.stages[0].last_layer == 0);
    CHECK(q.stages[30].first_layer == 59);
    CHECK(q.stages[30].last_layer == 60);
    // The last stage holds no decoder layer: an empty range after the last one.
    CHECK(q.stages[31].first_layer == 61);
    CHECK(q.stages[31].last_layer == 60);
    REQUIRE(q.stages[31].blocks.size() == 2);
    CHECK(q.stages[31].blocks[0].kind == tr::BlockKind::mtp);
    CHECK(q.stages[31].blocks[1].kind == tr::BlockKind::head);
    CHECK(q.step.step_s != p.step.step_s);  // the cut moves the step (docs/training.md: 31.08 -> 25.74 s event)
    // Memory: the same blocks on other ranks; every rank's parameters summed are unchanged (each rank holds its
    // stages' blocks, nothing is dropped or counted twice), and the MTP module and head sit on rank 7.
    const tr::TrainingMemory mp = tr::training_memory(plain, p), mq = tr::training_memory(s, q);
    CHECK(sum_parameters(mq) == Approx(sum_parameters(mp)).epsilon(1e-12));
    CHECK(mq.per_rank.at(7).stages == std::vector<int>{7, 15, 23, 31});
  }
}

TEST_CASE("pipeline_layout: a stage that holds only the embedding runs (no decoder layer on it)", "[unit]") {
  // DualPipe PP16 on H800: E alone on stage 0, the 61 layers on stages 1-14, m + L alone on stage 15.
  const tr::TrainingScenario s =
      read(kDualPipe, {"fidelity=analytic", "training.pipeline_layout=E|(tttt|)*13,ttttttttt|mL"});
  const tr::TrainingPrediction q = tr::predict_training(s);
  REQUIRE(q.stages.size() == 16);
  CHECK(q.stages[0].blocks.size() == 1);
  CHECK(q.stages[0].first_layer == 0);
  CHECK(q.stages[0].last_layer == -1);
  CHECK(q.stages[1].first_layer == 0);
  CHECK(q.stages[14].last_layer == 60);
  CHECK(q.step.step_s > 0);
  CHECK(tr::training_memory(s, q).per_rank.size() == 16);
}

TEST_CASE("pipeline_layout: a wholly empty stage only forwards activations, at both levels", "[unit]") {
  // Stage 30 (rank 6) holds nothing: its units cost 0 s, the micro-batches still pass it (pipeline sends).
  for (const char* fidelity : {"analytic", "event"}) {
    const tr::TrainingScenario s =
        read(kVp4, {std::string("fidelity=") + fidelity, "training.pipeline_layout=Ettt|(tt|)*29,|mL"});
    const tr::TrainingPrediction q = tr::predict_training(s);
    REQUIRE(q.stages.size() == 32);
    CHECK(q.stages[30].blocks.empty());
    CHECK(q.stages[30].first_layer == 61);
    CHECK(q.stages[30].last_layer == 60);
    CHECK(q.stages[30].compute_s() == 0);
    CHECK(tr::layout_of(q.stages).substr(tr::layout_of(q.stages).size() - 7) == "|tt||mL");
    CHECK(q.step.step_s > 0);
    CHECK(tr::training_memory(s, q).fits);
  }
}
