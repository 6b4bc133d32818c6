// V3TR §3.2.1 Figure 4's components in the training block costs (models/training/block_costs.h): which ops
// are a layer's attention, MLP and post components, and that the components add up to the block's passes.
// The hand-computed overlap of the components: training_step_test.cpp.

#include <catch2/catch.hpp>

#include <map>

#include "models/training/training_run.h"

namespace tr = fathom::models::training;
using fathom::models::Op;

namespace {

const std::string kScenario = std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain-2048xh800.json";

tr::TrainingScenario scenario() {
  fathom::ProvenanceLog log;
  return tr::read_training_scenario(fathom::load_scenario(kScenario), log);
}

// name -> component of the ops of one layer (F, B, W and the spec's recomputation).
std::map<std::string, int> components(const tr::TrainingScenario& s, int64_t layer, bool moe) {
  const auto options = fathom::models::default_cost_options(s.model.arch);
  std::vector<Op> ops =
      fathom::models::training_layer_ops(s.model.arch, layer, {1, 4096, true}, options,
                                         moe ? fathom::models::MoeLoad{4, 8192.0} : fathom::models::MoeLoad{});
  const auto again = fathom::models::recompute_ops(ops, s.spec.recompute);
  ops.insert(ops.end(), again.begin(), again.end());
  const std::vector<int> c = tr::layer_component_of_ops(ops);
  REQUIRE(c.size() == ops.size());
  std::map<std::string, int> out;
  for (size_t i = 0; i < ops.size(); ++i) out[ops[i].name] = c[i];
  return out;
}

}  // namespace

TEST_CASE("Figure 4 components: router in ATTN, experts in MLP, the FFN residual after COMBINE", "[unit]") {
  const tr::TrainingScenario s = scenario();
  const auto moe = components(s, 10, true);
  CHECK(moe.at("input_layernorm") == 0);
  CHECK(moe.at("attention") == 0);
  CHECK(moe.at("attention.bwd") == 0);
  CHECK(moe.at("o_proj.wgrad") == 0);
  CHECK(moe.at("post_attention_layernorm.recompute") == 0);
  CHECK(moe.at("router") == 0);  // the dispatch needs the routing
  CHECK(moe.at("router_topk") == 0);
  CHECK(moe.at("experts_gate_up") == 1);
  CHECK(moe.at("experts_gate_up.dgrad") == 1);
  CHECK(moe.at("experts_down.wgrad") == 1);
  CHECK(moe.at("shared_gate_up") == 1);
  CHECK(moe.at("moe_combine") == 1);
  CHECK(moe.at("ffn_residual") == 2);
  // A dense layer: its FFN is the MLP component (no all-to-alls between, but the same interleaving grain).
  const auto dense = components(s, 0, false);
  CHECK(dense.at("post_attention_layernorm") == 0);
  CHECK(dense.at("mlp_gate_up") == 1);
  CHECK(dense.at("mlp_down.dgrad") == 1);
  CHECK(dense.at("ffn_residual") == 2);
  // The MTP module: its shared head runs after its COMBINE.
  const auto mtp = components(s, s.model.arch.layers, true);
  CHECK(mtp.at("eh_proj") == 0);
  CHECK(mtp.at("experts_down") == 1);
  CHECK(mtp.at("shared_head.lm_head") == 2);
  CHECK(mtp.at("shared_head.lm_head.dgrad") == 2);
  CHECK(mtp.at("mtp_cross_entropy") == 2);
}

TEST_CASE("Figure 4 components of the priced blocks add up to their passes", "[unit]") {
  const tr::TrainingScenario s = scenario();
  const tr::TrainingPrediction p = tr::predict_training(s);
  int moe = 0;
  for (const auto& st : p.stages) {
    for (const auto& b : st.blocks) {
      INFO(b.label());
      if (b.kind == tr::BlockKind::embedding || b.kind == tr::BlockKind::head) {
        CHECK(b.full_parts.mlp.total_s() == 0);
        continue;
      }
      moe += b.moe;
      for (const auto* pair : {&b.full_parts, &b.overlapped_parts}) {
        const tr::PassTimes& all = pair == &b.full_parts ? b.full() : b.overlapped;
        const tr::PassTimes attention = all - pair->mlp - pair->post;
        CHECK(pair->mlp.forward_s > 0);
        CHECK(pair->mlp.backward_weight_s > 0);
        CHECK(pair->post.forward_s > 0);
        CHECK(attention.forward_s > 0);
        CHECK(attention.backward_input_s > 0);
        CHECK(attention.backward_weight_s > 0);
      }
      // The phases: FP8 out (DISPATCH(F), COMBINE(B)), BF16 back (COMBINE(F), DISPATCH(B)), T29.
      if (b.moe) {
        CHECK(b.dispatch_s == b.combine_backward_s);
        CHECK(b.combine_s == b.dispatch_backward_s);
        CHECK(b.combine_s > b.dispatch_s);
      }
    }
  }
  CHECK(moe == 59);  // 58 MoE layers on the stages + the MTP module
}
