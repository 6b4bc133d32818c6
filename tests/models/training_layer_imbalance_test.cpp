// Per-layer expert imbalance in training (models/eplb/zipf_imbalance.h, models/training/block_costs.h):
// each MoE layer is priced on its own busiest GPU. No test asserts a published figure.

#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>

#include "models/eplb/routing_noise.h"
#include "models/training/training_run.h"

namespace tr = fathom::models::training;
namespace eplb = fathom::models::eplb;

namespace {

const std::string kScenario = std::string(FATHOM_SOURCE_DIR) + "/scenarios/deepseek-v3-pretrain-2048xh800.json";

tr::TrainingScenario scenario(const std::vector<std::string>& sets = {}) {
  fathom::ProvenanceLog log;
  return tr::read_training_scenario(fathom::load_scenario(kScenario, sets), log);
}

// A micro-batch's routed slots over the EP group (what training_run.cpp prices routing noise at).
double slots_of(const tr::TrainingScenario& s) {
  return double(s.layout.tokens_per_gpu()) * double(s.layout.ep) * double(s.model.arch.experts_per_token);
}

// The block costs of `s` with optional per-decoder-layer factors, priced as predict_training prices them.
std::vector<tr::BlockCost> blocks_of(const tr::TrainingScenario& s, const std::vector<double>& layer_imbalance) {
  const fathom::hw::KernelCostModel cost_model(s.cluster.node.gpu, s.calibration);
  fathom::models::CostOptions options = fathom::models::default_cost_options(s.model.arch);
  options.weight_dtype = s.model.weights_dtype;
  const tr::BlockCostInputs in{s.model.arch, s.model.mtp,    options,    s.spec,
                               s.layout,     s.cluster.node, cost_model, layer_imbalance};
  return tr::block_costs(in);
}

void check_identical(const tr::BlockCost& a, const tr::BlockCost& b) {
  INFO(a.label());
  CHECK(a.label() == b.label());
  CHECK(a.moe == b.moe);
  CHECK(a.expert_imbalance == b.expert_imbalance);
  CHECK(a.alltoall_tokens == b.alltoall_tokens);
  CHECK(a.forward_s == b.forward_s);
  CHECK(a.backward_input_s == b.backward_input_s);
  CHECK(a.backward_weight_s == b.backward_weight_s);
  CHECK(a.forward_comm_s() == b.forward_comm_s());
  CHECK(a.backward_comm_s() == b.backward_comm_s());
  CHECK(a.flops == b.flops);
  CHECK(a.dense_params == b.dense_params);
  CHECK(a.expert_params == b.expert_params);
}

eplb::ZipfImbalance reference_zipf(const tr::TrainingScenario& s, double exponent) {
  return eplb::zipf_imbalance(s.model.arch, {.gpus = s.layout.ep, .nodes = s.layout.ep_nodes, .redundant_experts = 0},
                              {.exponent = exponent, .seed = 1});
}

}  // namespace

TEST_CASE("zipf_imbalance: one factor >= 1 per MoE layer, their mean is the scalar exactly", "[unit]") {
  const tr::TrainingScenario s = scenario();
  const eplb::ZipfImbalance z = reference_zipf(s, 0.1);
  const auto n = static_cast<size_t>(s.model.arch.moe_layer_count());
  REQUIRE(z.before_per_layer.size() == n);
  REQUIRE(z.after_per_layer.size() == n);
  for (size_t i = 0; i < n; ++i) {
    CHECK(z.before_per_layer[i] >= 1.0);
    CHECK(z.after_per_layer[i] >= 1.0);
  }
  // Summed in model order and divided by the count, exactly as the scalar is formed.
  CHECK(std::accumulate(z.after_per_layer.begin(), z.after_per_layer.end(), 0.0) / double(n) == z.after);
  CHECK(std::accumulate(z.before_per_layer.begin(), z.before_per_layer.end(), 0.0) / double(n) == z.before);
  // The layers differ (each draws its own shuffle), so per-layer pricing is not the scalar path.
  CHECK(*std::max_element(z.after_per_layer.begin(), z.after_per_layer.end()) >
        *std::min_element(z.after_per_layer.begin(), z.after_per_layer.end()));
}

TEST_CASE("zipf_imbalance: a uniform load and a dense model give factors of 1", "[unit]") {
  const tr::TrainingScenario s = scenario();
  const eplb::ZipfImbalance uniform = reference_zipf(s, 0.0);
  REQUIRE(uniform.after_per_layer.size() == static_cast<size_t>(s.model.arch.moe_layer_count()));
  for (size_t i = 0; i < uniform.after_per_layer.size(); ++i) {
    CHECK(uniform.before_per_layer[i] == Approx(1.0).epsilon(1e-12));
    CHECK(uniform.after_per_layer[i] == Approx(1.0).epsilon(1e-12));
  }
  // With routing noise every MoE layer of a uniform load is the equal-share factor (dense layers 1).
  const tr::TrainingScenario flat = scenario({"expert_load.zipf_exponent=0"});
  const double equal = eplb::routing_noise_factor(std::vector<double>(size_t(flat.layout.ep), 1.0), slots_of(flat));
  for (int64_t l = 0; l < flat.model.arch.layers; ++l) {
    const bool moe = flat.model.arch.kind_of_layer(l) == fathom::models::LayerKind::moe;
    CHECK(flat.layer_imbalance[size_t(l)] == Approx(moe ? equal : 1.0).epsilon(1e-9));
  }

  fathom::models::ModelArch dense = s.model.arch;
  dense.routed_experts = 0;
  dense.moe_layer.assign(dense.moe_layer.size(), false);
  dense.mtp_layer_is_moe = false;
  const eplb::ZipfImbalance d = eplb::zipf_imbalance(dense, {.gpus = 64, .nodes = 8}, {.exponent = 0.5, .seed = 1});
  CHECK(d.before == 1.0);
  CHECK(d.after == 1.0);
  CHECK(d.after_per_layer.empty());
  const std::vector<double> per_layer = tr::decoder_layer_imbalance(dense, d.after_per_layer);
  CHECK(per_layer == std::vector<double>(static_cast<size_t>(dense.layers), 1.0));
}

TEST_CASE("training: per-decoder-layer factors map the MoE layers in order, dense layers 1", "[unit]") {
  const tr::TrainingScenario s = scenario();
  const auto& a = s.model.arch;
  const eplb::ZipfImbalance z = reference_zipf(s, 0.1);
  // Each MoE layer's after-EPLB factor with routing noise at a micro-batch's routed slots.
  const std::vector<double> realized = eplb::realized_per_layer(z, slots_of(s));
  REQUIRE(s.layer_imbalance.size() == static_cast<size_t>(a.layers));
  size_t next = 0;
  for (int64_t l = 0; l < a.layers; ++l) {
    const double f = s.layer_imbalance[static_cast<size_t>(l)];
    if (a.kind_of_layer(l) == fathom::models::LayerKind::moe) {
      CHECK(f == realized[next]);
      CHECK(f >= z.after_per_layer[next++]);
    } else {
      CHECK(f == 1.0);
    }
  }
  CHECK(next == z.after_per_layer.size());
  CHECK(s.spec.expert_imbalance ==
        Approx(std::accumulate(realized.begin(), realized.end(), 0.0) / double(realized.size())).epsilon(1e-14));
  CHECK(s.expert_imbalance_expected_loads == z.after);
  CHECK(s.expert_imbalance_before_eplb == z.before);
  CHECK_THROWS_AS(tr::decoder_layer_imbalance(a, {1.0, 1.1}), std::invalid_argument);
  // Without the section there are no per-layer factors: the scalar applies everywhere.
  fathom::ProvenanceLog log;
  fathom::ScenarioDocument doc = fathom::load_scenario(kScenario);
  doc.root.erase("expert_load");
  CHECK(tr::read_training_scenario(doc, log).layer_imbalance.empty());
}

TEST_CASE("training block costs: equal per-layer factors are the scalar path exactly", "[unit]") {
  tr::TrainingScenario s = scenario();
  s.spec.expert_imbalance = 1.13;
  const auto& a = s.model.arch;
  std::vector<double> equal(static_cast<size_t>(a.layers), 1.0);
  for (int64_t l = 0; l < a.layers; ++l) {
    if (a.kind_of_layer(l) == fathom::models::LayerKind::moe) equal[static_cast<size_t>(l)] = 1.13;
  }
  const auto scalar = blocks_of(s, {});
  const auto per_layer = blocks_of(s, equal);
  REQUIRE(scalar.size() == per_layer.size());
  for (size_t i = 0; i < scalar.size(); ++i) check_identical(scalar[i], per_layer[i]);
  for (const auto& b : scalar) {
    CHECK(b.alltoall_tokens == (b.moe ? double(s.layout.micro_batch_tokens) * 1.13 : 0.0));
    CHECK(b.expert_imbalance == (b.moe ? 1.13 : 1.0));
  }
  CHECK_THROWS_AS(blocks_of(s, {1.0, 1.0}), std::invalid_argument);
}

TEST_CASE("training block costs: a layer with a larger factor costs more, the others are unchanged", "[unit]") {
  tr::TrainingScenario s = scenario();
  const auto& a = s.model.arch;
  REQUIRE(a.kind_of_layer(10) == fathom::models::LayerKind::moe);
  std::vector<double> base(static_cast<size_t>(a.layers), 1.0);
  for (int64_t l = 0; l < a.layers; ++l) {
    if (a.kind_of_layer(l) == fathom::models::LayerKind::moe) base[static_cast<size_t>(l)] = 1.1;
  }
  std::vector<double> hot = base;
  hot[10] = 1.5;
  const auto cold_blocks = blocks_of(s, base);
  const auto hot_blocks = blocks_of(s, hot);
  REQUIRE(cold_blocks.size() == hot_blocks.size());
  for (size_t i = 0; i < hot_blocks.size(); ++i) {
    const tr::BlockCost& h = hot_blocks[i];
    const tr::BlockCost& c = cold_blocks[i];
    if (h.kind != tr::BlockKind::layer || h.layer != 10) {
      check_identical(h, c);
      continue;
    }
    CHECK(h.expert_imbalance == 1.5);
    CHECK(h.alltoall_tokens == double(s.layout.micro_batch_tokens) * 1.5);
    CHECK(h.forward_s > c.forward_s);
    CHECK(h.backward_input_s + h.backward_weight_s > c.backward_input_s + c.backward_weight_s);
    CHECK(h.forward_comm_s() > c.forward_comm_s());
    CHECK(h.backward_comm_s() > c.backward_comm_s());
    CHECK(h.dense_params == c.dense_params);
    CHECK(h.expert_params == c.expert_params);
  }
  // The MTP module uses the scalar (the MoE-layer mean under EPLB).
  for (const auto& b : hot_blocks) {
    if (b.kind == tr::BlockKind::mtp && b.moe) CHECK(b.expert_imbalance == s.spec.expert_imbalance);
  }
}

TEST_CASE("training: each stage reports the mean factor of its MoE blocks", "[unit]") {
  const tr::TrainingScenario s = scenario();
  const tr::TrainingPrediction p = tr::predict_training(s);
  for (const auto& st : p.stages) {
    double sum = 0;
    int n = 0;
    for (const auto& b : st.blocks) {
      if (b.moe) sum += b.expert_imbalance, ++n;
    }
    const double mean = tr::mean_expert_imbalance(st.blocks);
    CHECK(mean == (n == 0 ? 1.0 : sum / n));
    CHECK(mean >= 1.0);
  }
}
