#include "models/op_builders.h"
#include "models/param_counts.h"

namespace fathom::models::detail {

double act_bytes(const LayerContext& c) { return hw::bytes_per_element(c.options.activation_dtype); }
double kv_bytes(const LayerContext& c) { return hw::bytes_per_element(c.options.kv_dtype); }

hw::DType gemm_dtype(const LayerContext& c, bool quantizable) {
  return quantizable ? c.options.weight_dtype : hw::DType::bf16;
}

void add_gemm(const LayerContext& c, std::string name, hw::KernelFamily family, double rows_total, int64_t m,
              int64_t groups, int64_t k, int64_t n, hw::DType operand, Bytes weights) {
  Op op;
  op.name = std::move(name);
  op.layer = c.layer;
  op.work.family = family;
  op.work.dtype = operand;
  op.work.flops = Flops(2.0 * rows_total * double(k) * double(n));
  op.work.bytes_read = Bytes(rows_total * operand_row_bytes(operand, k)) + weights;
  op.work.bytes_written = Bytes(rows_total * double(n) * act_bytes(c));
  op.work.m = m;
  op.work.k = k;
  op.work.n = n;
  op.work.groups = groups;
  c.out.push_back(std::move(op));
}

void add_linear(const LayerContext& c, std::string name, int64_t tokens, int64_t k, int64_t n, bool quantizable) {
  const hw::DType dt = gemm_dtype(c, quantizable);
  add_gemm(c, std::move(name), hw::KernelFamily::dense_gemm, double(tokens), tokens, 0, k, n, dt,
           tensor_bytes(c.arch, n, k, quantizable, c.options.weight_dtype));
}

void add_elementwise(const LayerContext& c, std::string name, double flops, double bytes_read, double bytes_written) {
  Op op;
  op.name = std::move(name);
  op.layer = c.layer;
  op.work.family = hw::KernelFamily::elementwise;
  op.work.dtype = c.options.activation_dtype;
  op.work.flops = Flops(flops);
  op.work.bytes_read = Bytes(bytes_read);
  op.work.bytes_written = Bytes(bytes_written);
  c.out.push_back(std::move(op));
}

void add_rms_norm(const LayerContext& c, std::string name, double tokens, int64_t width) {
  const double elems = tokens * double(width);
  add_elementwise(c, std::move(name), 4.0 * elems, elems * act_bytes(c) + double(width) * 2.0, elems * act_bytes(c));
  c.out.back().role = OpRole::rms_norm;
}

void add_residual(const LayerContext& c, std::string name, double tokens, int64_t width) {
  const double elems = tokens * double(width);
  add_elementwise(c, std::move(name), elems, 2.0 * elems * act_bytes(c), elems * act_bytes(c));
  c.out.back().role = OpRole::residual_add;
}

void add_swiglu(const LayerContext& c, std::string name, double tokens, int64_t width) {
  const double elems = tokens * double(width);
  add_elementwise(c, std::move(name), 5.0 * elems, 2.0 * elems * act_bytes(c), elems * act_bytes(c));
}

void add_rope(const LayerContext& c, std::string name, double elements) {
  add_elementwise(c, std::move(name), 3.0 * elements, elements * act_bytes(c), elements * act_bytes(c));
  c.out.back().role = OpRole::rope;
}

Op attention_op(const LayerContext& c, const TokenShape& t) {
  Op attn;
  attn.name = "attention";
  attn.layer = c.layer;
  attn.work.dtype = c.options.activation_dtype;
  attn.work.batch = t.sequences;
  attn.work.heads = c.arch.heads;
  attn.work.seq_q = t.seq_q;
  attn.work.seq_kv = t.seq_kv;
  return attn;
}

double softmax_lse_bytes(const LayerContext& c, const TokenShape& t) {
  // FlashAttention keeps the FP32 log-sum-exp of every query row for the backward.
  return t.step == Step::training_forward ? double(t.tokens()) * double(c.arch.heads) * 4.0 : 0.0;
}

double causal_pairs(int64_t sequences, int64_t seq_len, int64_t prefix_len) {
  return double(sequences) * (double(seq_len) * double(prefix_len) + double(seq_len) * double(seq_len + 1) / 2.0);
}

double capped_causal_pairs(int64_t sequences, int64_t seq_len, int64_t prefix_len, int64_t cap) {
  if (cap <= 0) return causal_pairs(sequences, seq_len, prefix_len);
  // The query at 0-based position p attends min(p + 1, cap) keys; x = p + 1 runs over [a, b].
  const double a = double(prefix_len) + 1.0, b = double(prefix_len) + double(seq_len), w = double(cap);
  double per_sequence = 0.0;
  if (b <= w) {
    per_sequence = (a + b) * (b - a + 1.0) / 2.0;
  } else if (a > w) {
    per_sequence = w * (b - a + 1.0);
  } else {
    per_sequence = (a + w) * (w - a + 1.0) / 2.0 + w * (b - w);
  }
  return double(sequences) * per_sequence;
}

}  // namespace fathom::models::detail
