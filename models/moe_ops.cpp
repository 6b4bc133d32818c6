// Mixture-of-experts feed-forward: router gate + top-k selection, routed experts as grouped GEMMs
// (gate+up fused, SwiGLU, down), shared experts as dense GEMMs, and the combine, laid out as
// DeepSeek's serving and training stacks run them with DeepEP (S13, T29; docs/model-cost.md, "MoE"):
//  - the MoE input is quantised to FP8 once, before the dispatch (V3TR §3.3.3), and that copy feeds the
//    shared expert too; in decode the low-latency dispatch casts the routed copy itself, so the pass is
//    there only for the shared expert; NVFP4 experts (expert_weights_dtype fp4) get their own NVFP4 pass
//    of the prefill input (experts_input_quant) and of the SwiGLU output (experts_down_quant);
//  - prefill/training: the received tokens are permuted into per-expert contiguous rows for the
//    contiguous grouped GEMM, and the expert outputs are gathered back per received token, weighted by
//    the gates and summed over the token's local experts (the combine kernel sums across GPUs);
//  - decode: the low-latency dispatch writes each token straight into its expert's slot of the masked
//    layout, and the low-latency combine reads the slots, weights and sums in its receive (DeepEP): no
//    permutation ops;
//  - the routed sum and the shared expert output are added (moe_combine).

#include <algorithm>
#include <cmath>

#include "models/op_builders.h"
#include "models/param_counts.h"

namespace fathom::models::detail {
namespace {

// The routed-expert load of this invocation (see MoeLoad in ops.h).
struct ExpertLoad {
  int64_t groups = 0;  // experts run on this device
  double tokens_per_expert = 0;
  double rows_total = 0;    // token-expert assignments = groups * tokens_per_expert
  double experts_read = 0;  // experts whose weights are read
};

ExpertLoad resolve_load(const ModelArch& a, int64_t tokens, const MoeLoad& load) {
  ExpertLoad l;
  if (load.experts > 0 && load.tokens_per_expert >= 0.0) {
    l.groups = load.experts;
    l.tokens_per_expert = load.tokens_per_expert;
    l.rows_total = double(l.groups) * l.tokens_per_expert;
    l.experts_read = l.tokens_per_expert > 0.0 ? double(l.groups) : 0.0;
    return l;
  }
  const double E = double(a.routed_experts);
  const double k = double(a.experts_per_token);
  l.groups = a.routed_experts;
  l.rows_total = double(tokens) * k;
  l.tokens_per_expert = l.rows_total / E;
  // Uniform routing: an expert is untouched by one token with probability 1 - k/E.
  l.experts_read = E * (1.0 - std::pow(1.0 - k / E, double(tokens)));
  return l;
}

// Distinct tokens among the `rows` token-expert rows of `groups` local experts: rows divided by the
// expected local experts of a token that picks at least one, k p / (1 - (1 - p)^k) with p = groups / E
// (uniform routing). All experts local: rows / k = the tokens.
double received_tokens(const ModelArch& a, const ExpertLoad& l) {
  const double k = double(a.experts_per_token);
  const double p = std::min(1.0, double(l.groups) / double(a.routed_experts));
  if (l.rows_total <= 0.0 || p <= 0.0) return 0.0;
  return l.rows_total * (1.0 - std::pow(1.0 - p, k)) / (k * p);
}

// Received tokens (FP8 or BF16 rows with their scales) -> per-expert contiguous rows: each received
// row is read once and written to each of its local experts' rows, by an int32 row index.
void add_permute(const LayerContext& c, const ExpertLoad& l, double received, hw::DType dt) {
  const double row = operand_row_bytes(dt, c.arch.hidden);
  add_elementwise(c, "moe_permute", 0.0, received * row + l.rows_total * 4.0, l.rows_total * row);
  Op& op = c.out.back();
  op.role = OpRole::moe_permute;
  op.work.dtype = dt;
  op.work.m = std::llround(l.rows_total);
  op.work.n = c.arch.hidden;
}

// Expert output rows -> received tokens: each row scaled by its gate weight and summed over the token's
// local experts (2 FLOPs per row element); reads the rows and an int32 index + FP32 weight per row.
void add_unpermute(const LayerContext& c, const ExpertLoad& l, double received, bool fp8_gradient) {
  const double h = double(c.arch.hidden);
  const double act = act_bytes(c);
  add_elementwise(c, "moe_unpermute", 2.0 * l.rows_total * h, l.rows_total * (h * act + 8.0), received * h * act);
  Op& op = c.out.back();
  op.role = OpRole::moe_combine;
  op.output_grad_fp8 = fp8_gradient;
  op.work.m = std::llround(l.rows_total);
  op.work.n = c.arch.hidden;
}

}  // namespace

void add_moe_ops(const LayerContext& c, const TokenShape& t, const MoeLoad& load) {
  const ModelArch& a = c.arch;
  const int64_t T = t.tokens();
  const int64_t h = a.hidden;
  const int64_t f = a.moe_intermediate;
  const double act = act_bytes(c);
  const bool decode = t.step == Step::decode;

  add_linear(c, "router", T, h, a.routed_experts, /*quantizable=*/false);
  // Scores (sigmoid/softmax, bias, group-limited top-k): ~4 FLOPs per score; writes ids + weights.
  add_elementwise(c, "router_topk", 4.0 * double(T * a.routed_experts), double(T * a.routed_experts) * act,
                  double(T * a.experts_per_token) * 8.0);
  const hw::DType dt = c.options.expert_dtype.value_or(gemm_dtype(c, true));
  const bool fp4 = dt == hw::DType::fp4;
  // Before the dispatch in prefill/training; for the shared expert alone in decode. NVFP4 experts: the
  // routed copy is its own NVFP4 pass before the dispatch (prefill), this one feeds the shared expert only.
  if ((!decode && !fp4) || a.shared_experts > 0) add_quantize(c, "moe_input_quant", double(T), h);
  if (!decode && fp4) add_nvfp4_quantize(c, "experts_input_quant", double(T), h);

  const ExpertLoad l = resolve_load(a, T, load);
  const double received = received_tokens(a, l);
  const auto family = decode ? hw::KernelFamily::grouped_gemm_masked : hw::KernelFamily::grouped_gemm_contiguous;
  const int64_t m = static_cast<int64_t>(std::ceil(l.tokens_per_expert));
  const bool fp8 = dt == hw::DType::fp8;
  // Expert weight bytes: NVFP4 experts (model.expert_weights_dtype fp4) 0.5 B per value plus one FP8 scale per
  // 16 values (tensor_bytes counts the values only); MXFP4 checkpoints (gpt-oss) 4.25-bit weights read into
  // GEMMs that run in `dt` (Hopper has no FP4 math); otherwise at the weight dtype.
  const auto expert_bytes = [&](int64_t rows, int64_t cols) {
    if (fp4) return tensor_bytes(a, rows, cols, true, dt) + Bytes(double(rows) * double(cols) / 16.0);
    return routed_expert_matrix_bytes(a, rows, cols, c.options.weight_dtype);
  };
  const Bytes gate_up_w = expert_bytes(f, h) * 2.0;
  const Bytes down_w = expert_bytes(h, f);
  if (!decode) add_permute(c, l, received, dt);
  add_gemm(c, "experts_gate_up", family, l.rows_total, m, l.groups, h, 2 * f, dt, gate_up_w * l.experts_read);
  add_swiglu(c, "experts_act", l.rows_total, f);
  c.out.back().role = OpRole::moe_swiglu;
  add_expert_quantize(c, "experts_down_quant", l.rows_total, f, dt);
  add_gemm(c, "experts_down", family, l.rows_total, m, l.groups, f, h, dt, down_w * l.experts_read);
  // T29: the output gradient reaches the experts in FP8 (quantised before the backward dispatch).
  c.out.back().output_grad_fp8 = fp8;
  if (!decode) add_unpermute(c, l, received, fp8);

  if (a.shared_experts > 0) {
    const int64_t fs = a.shared_experts * f;
    add_linear(c, "shared_gate_up", T, h, 2 * fs);  // reads moe_input_quant's FP8 copy
    add_swiglu(c, "shared_act", double(T), fs);
    c.out.back().role = OpRole::moe_swiglu;
    add_quantize(c, "shared_down_quant", double(T), fs);
    add_linear(c, "shared_down", T, fs, h);
    // The routed sum (as the combine delivers it) plus the shared expert output.
    add_residual(c, "moe_combine", double(T), h);
  }
}

}  // namespace fathom::models::detail
