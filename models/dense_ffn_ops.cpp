// Dense SwiGLU feed-forward: fused gate+up GEMM, SiLU(gate)*up, down GEMM (each GEMM's input quantised
// first when the GEMMs run in FP8).

#include "models/op_builders.h"

namespace fathom::models::detail {

void add_dense_ffn_ops(const LayerContext& c, const TokenShape& t) {
  const ModelArch& a = c.arch;
  const int64_t T = t.tokens();
  add_quantize(c, "mlp_gate_up_quant", double(T), a.hidden);
  add_linear(c, "mlp_gate_up", T, a.hidden, 2 * a.intermediate);
  add_swiglu(c, "mlp_act", double(T), a.intermediate);
  add_quantize(c, "mlp_down_quant", double(T), a.intermediate);
  add_linear(c, "mlp_down", T, a.intermediate, a.hidden);
}

}  // namespace fathom::models::detail
