// Mixture-of-experts feed-forward: router gate + top-k selection, routed experts as grouped GEMMs
// (gate+up fused, SwiGLU, down), shared experts as dense GEMMs, weighted combine.

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

}  // namespace

void add_moe_ops(const LayerContext& c, const TokenShape& t, const MoeLoad& load) {
  const ModelArch& a = c.arch;
  const int64_t T = t.tokens();
  const int64_t h = a.hidden;
  const int64_t f = a.moe_intermediate;
  const double act = act_bytes(c);

  add_linear(c, "router", T, h, a.routed_experts, /*quantizable=*/false);
  // Scores (sigmoid/softmax, bias, group-limited top-k): ~4 FLOPs per score; writes ids + weights.
  add_elementwise(c, "router_topk", 4.0 * double(T * a.routed_experts), double(T * a.routed_experts) * act,
                  double(T * a.experts_per_token) * 8.0);

  const ExpertLoad l = resolve_load(a, T, load);
  const auto family =
      t.step == Step::decode ? hw::KernelFamily::grouped_gemm_masked : hw::KernelFamily::grouped_gemm_contiguous;
  const int64_t m = static_cast<int64_t>(std::ceil(l.tokens_per_expert));
  const hw::DType dt = gemm_dtype(c, true);
  const Bytes gate_up_w = tensor_bytes(a, f, h, true, c.options.weight_dtype) * 2.0;
  const Bytes down_w = tensor_bytes(a, h, f, true, c.options.weight_dtype);
  add_gemm(c, "experts_gate_up", family, l.rows_total, m, l.groups, h, 2 * f, dt, gate_up_w * l.experts_read);
  add_swiglu(c, "experts_act", l.rows_total, f);
  c.out.back().role = OpRole::moe_swiglu;
  add_gemm(c, "experts_down", family, l.rows_total, m, l.groups, f, h, dt, down_w * l.experts_read);

  if (a.shared_experts > 0) {
    const int64_t fs = a.shared_experts * f;
    add_linear(c, "shared_gate_up", T, h, 2 * fs);
    add_swiglu(c, "shared_act", double(T), fs);
    c.out.back().role = OpRole::moe_swiglu;
    add_linear(c, "shared_down", T, fs, h);
  }
  // Weighted sum of the k expert outputs (+ the shared expert output): 2 FLOPs per summand element.
  const double summands = l.rows_total + (a.shared_experts > 0 ? double(T) : 0.0);
  add_elementwise(c, "moe_combine", 2.0 * summands * double(h), summands * double(h) * act, double(T * h) * act);
  c.out.back().role = OpRole::moe_combine;
}

}  // namespace fathom::models::detail
