// Training backward at its own shapes: dgrad/wgrad GEMM shapes, the FP8 casts of the backward,
// attention backward on its own family, the FP32 cross-entropy, and the MTP module in prefill.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "models/hf_config.h"
#include "models/ops.h"
#include "support/tiny_model.h"

using namespace fathom;
using namespace fathom::models;

namespace {

// The tiny model (tests/support/tiny_model.h).
ModelArch tiny() { return test::tiny_deepseek(); }

const std::string kModels = std::string(FATHOM_SOURCE_DIR) + "/scenarios/models/";

std::map<std::string, Op> by_name(const std::vector<Op>& ops) {
  std::map<std::string, Op> m;
  for (const auto& op : ops) m[op.name] = op;
  return m;
}

bool is_gemm(const Op& op) {
  const auto f = op.work.family;
  return f == hw::KernelFamily::dense_gemm || f == hw::KernelFamily::grouped_gemm_contiguous ||
         f == hw::KernelFamily::grouped_gemm_masked;
}

}  // namespace

TEST_CASE("backward GEMMs at their own shapes, F:B:W GEMM FLOPs 1:1:1 (DeepSeek-V3)", "[unit]") {
  const ModelArch a = load_hf_config(kModels + "deepseek-v3.config.json");
  const auto ops = training_layer_ops(a, 3, PrefillShape{1, 4096, true}, default_cost_options(a));
  const auto m = by_name(ops);
  // q_a_proj: X[4096 x 7168] W -> [4096 x 1536]. dgrad: dY[4096 x 1536] W^T; wgrad: X^T[7168 x 4096] dY.
  const auto& dx = m.at("q_a_proj.dgrad").work;
  CHECK((dx.m == 4096 && dx.k == 1536 && dx.n == 7168));
  const auto& dw = m.at("q_a_proj.wgrad").work;
  CHECK((dw.m == 7168 && dw.n == 1536 && dw.k == 4096));
  // Routed experts: 128 tokens per expert, 256 groups. wgrad reduces over each expert's 128 tokens.
  const auto& up_dx = m.at("experts_gate_up.dgrad").work;
  CHECK((up_dx.m == 128 && up_dx.k == 4096 && up_dx.n == 7168 && up_dx.groups == 256));
  const auto& up_dw = m.at("experts_gate_up.wgrad").work;
  CHECK((up_dw.m == 7168 && up_dw.n == 4096 && up_dw.k == 128 && up_dw.groups == 256));
  // FP8 wgrad reads X^T and dY^T with one FP32 scale per 128 tokens of each group and column.
  CHECK(up_dw.bytes_read.value() == 32768.0 * (7168 + 4096) + 256.0 * (7168 + 4096) * 4);
  CHECK(up_dw.bytes_written.value() == 256.0 * 7168 * 4096 * 4);

  double f = 0, b = 0, w = 0;
  for (const Op& op : ops) {
    if (!is_gemm(op)) continue;
    (op.pass == Pass::forward ? f : op.pass == Pass::backward_input ? b : w) += op.work.flops.value();
  }
  CHECK(f > 0);
  CHECK(b == Approx(f).epsilon(1e-12));
  CHECK(w == Approx(f).epsilon(1e-12));
  // Attention backward: its own family, 5 matmuls: (3 * 192 + 2 * 128) / (192 + 128) = 2.6x.
  CHECK(m.at("attention.bwd").work.family == hw::KernelFamily::attention_backward);
  CHECK(m.at("attention.bwd").work.flops.value() == Approx(2.6 * m.at("attention").work.flops.value()));
  CHECK(m.at("attention.bwd").work.seq_q == 4096);
}

TEST_CASE("GQA attention backward is 2.5x the forward (d_qk = d_v)", "[unit]") {
  const ModelArch q = load_hf_config(kModels + "qwen3-8b.config.json");
  const auto m = by_name(training_layer_ops(q, 0, PrefillShape{2, 512, true}, CostOptions{}));
  CHECK(m.at("attention.bwd").work.flops.value() == Approx(2.5 * m.at("attention").work.flops.value()));
}

TEST_CASE("attention backward bytes: Q K V O dO, LSE and D, the FP32 dQ accumulator", "[unit]") {
  const auto m = by_name(training_layer_ops(tiny(), 1, PrefillShape{1, 4}, CostOptions{}));
  // Forward reads Q, K, V = 512 B. 8 query rows (4 tokens x 2 heads): O = dO = 8 x 8 x 2 = 128 B,
  // LSE = D = 8 x 4 = 32 B, dQ accumulator 8 x 12 x 4 = 384 B.
  const auto& d = m.at("attention.bwd").work;
  CHECK(d.bytes_read.value() == 512 + 3 * 128 + 2 * 32 + 384);
  CHECK(d.bytes_written.value() == 512 + 32 + 384);
  CHECK(d.head_dim_qk == 12);
  CHECK(d.head_dim_v == 8);
}

TEST_CASE("FP8 backward casts: dY for dgrad, X^T and dY^T for wgrad, each exact", "[unit]") {
  const auto ops = training_layer_ops(tiny(), 1, PrefillShape{1, 4}, CostOptions{.weight_dtype = hw::DType::fp8});
  const auto m = by_name(ops);
  // q_a_proj 64 -> 32 over 4 tokens. dY BF16 4 x 32 -> FP8 + 1 scale per row (B).
  CHECK(m.at("q_a_proj.dgrad_quant").pass == Pass::backward_input);
  CHECK(m.at("q_a_proj.dgrad_quant").work.bytes_read.value() == 4 * 32 * 2);
  CHECK(m.at("q_a_proj.dgrad_quant").work.bytes_written.value() == 4 * (32 + 4));
  // dY^T: 32 columns x ceil(4/128) = 1 scale each (W); X^T re-quantised from the kept FP8 copy (W).
  CHECK(m.at("q_a_proj.wgrad_quant_dy").pass == Pass::backward_weight);
  CHECK(m.at("q_a_proj.wgrad_quant_dy").work.bytes_written.value() == 4 * 32 + 32 * 4);
  CHECK(m.at("q_a_proj.wgrad_quant_x").work.bytes_read.value() == 4 * (64 + 4));
  CHECK(m.at("q_a_proj.wgrad_quant_x").work.bytes_written.value() == 4 * 64 + 64 * 4);
  CHECK(m.at("q_a_proj.dgrad").work.bytes_read.value() == 4 * (32 + 4) + 32 * 64 + 4);
  CHECK(m.at("q_a_proj.wgrad").work.bytes_read.value() == 4 * (64 + 32) + (64 + 32) * 4);
  // kv_a_proj_with_mqa shares q_a_proj's input: its X^T is made once.
  CHECK(m.count("kv_a_proj_with_mqa.wgrad_quant_x") == 0);
  CHECK(m.count("kv_a_proj_with_mqa.wgrad_quant_dy") == 1);
  // T29: the MoE output gradient is quantised before the backward dispatch (the 4 received tokens);
  // experts_down reads it as it is, and re-quantises its transpose from FP8 (8 rows, 4 groups).
  CHECK(m.count("experts_down.dgrad_quant") == 0);
  CHECK(m.at("moe_unpermute.bwd_quant").work.bytes_read.value() == 4 * 64 * 2);
  CHECK(m.at("moe_unpermute.bwd_quant").work.bytes_written.value() == 4 * 68);
  CHECK(m.at("experts_down.wgrad_quant_dy").work.bytes_read.value() == 8 * 68);
  CHECK(m.at("experts_down.wgrad_quant_dy").work.bytes_written.value() == 8 * 64 + 64 * 4 * 4);
  // Unpermute backward: FP8 dY of 4 tokens to 8 expert rows, gate gradients from the kept outputs.
  const auto& ub = m.at("moe_unpermute.bwd").work;
  CHECK(ub.flops.value() == 2 * 8 * 64);
  CHECK(ub.bytes_read.value() == 4 * 68 + 8 * (128 + 8));
  CHECK(ub.bytes_written.value() == 8 * (68 + 4));
  // Permute backward: the 8 expert rows' BF16 gradients summed into the 4 tokens.
  const auto& pb = m.at("moe_permute.bwd").work;
  CHECK(pb.flops.value() == 8 * 64);
  CHECK(pb.bytes_read.value() == 8 * (128 + 4));
  CHECK(pb.bytes_written.value() == 4 * 128);
  // Forward casts have no gradient op of their own (straight through).
  CHECK(m.count("q_a_proj_quant.bwd") == 0);
  for (const Op& op : ops) CHECK((op.role != OpRole::fp8_quantize || op.work.flops.value() == 0));
}

TEST_CASE("training heads: FP32 cross-entropy forward and backward, main and MTP", "[unit]") {
  const ModelArch a = tiny();
  const auto head = by_name(training_head_ops(a, 4, CostOptions{}));
  // 4 tokens x 100 logits: reads BF16 logits + int64 labels, writes the FP32 softmax + FP32 loss.
  const auto& ce = head.at("cross_entropy").work;
  CHECK(ce.flops.value() == 3 * 400);
  CHECK(ce.bytes_read.value() == 400 * 2 + 4 * 8);
  CHECK(ce.bytes_written.value() == 400 * 4 + 4 * 4);
  // Backward: reads the softmax and labels, writes BF16 dlogits for the LM head's dgrad and wgrad.
  const auto& bwd = head.at("cross_entropy.bwd").work;
  CHECK(head.at("cross_entropy.bwd").pass == Pass::backward_input);
  CHECK(bwd.flops.value() == 2 * 400);
  CHECK(bwd.bytes_read.value() == 400 * 4 + 4 * 8);
  CHECK(bwd.bytes_written.value() == 400 * 2);
  CHECK(head.count("final_lm_head.dgrad") == 1);
  // The MTP module's head: the same loss on its own logits.
  const auto mtp = by_name(training_layer_ops(a, 2, PrefillShape{1, 4, true}, CostOptions{}));
  CHECK(mtp.at("mtp_cross_entropy").work.bytes_written.value() == 400 * 4 + 4 * 4);
  CHECK(mtp.at("mtp_cross_entropy.bwd").work.bytes_written.value() == 400 * 2);
}

TEST_CASE("prefill with MTP runs the MTP module over every prompt token, logits for the last", "[unit]") {
  const ModelArch a = load_hf_config(kModels + "deepseek-v3.config.json");
  const CostOptions o = default_cost_options(a);
  const PrefillShape shape{4, 4096};
  const auto without = prefill_model_ops(a, shape, o, false);
  const auto with = prefill_model_ops(a, shape, o, true);
  std::map<std::string, Op> mtp;
  for (const Op& op : with) {
    if (op.layer == a.layers) mtp[op.name] = op;
  }
  for (const Op& op : without) CHECK(op.layer < a.layers);
  REQUIRE(!mtp.empty());
  CHECK(mtp.at("eh_proj").work.m == 16384);          // every prompt token, for the module's own KV cache
  CHECK(mtp.at("attention").work.seq_q == 4096);     // causal over the prompt
  CHECK(mtp.at("shared_head.lm_head").work.m == 4);  // the first draft token of each sequence
  CHECK(mtp.count("experts_gate_up") == 1);          // the MTP layer is a MoE layer
  CHECK(mtp.count("mtp_cross_entropy") == 0);        // no loss outside training
  CHECK(total_flops(with).value() > total_flops(without).value());
}
