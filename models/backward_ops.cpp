// Training backward: the B (input-gradient) and W (weight-gradient) ops that a list of forward ops
// implies, as DualPipe splits them (V3TR §3.2.1), and the recomputation of covered forward ops.

#include <algorithm>

#include "models/op_builders.h"

namespace fathom::models {
namespace {

bool is_gemm(hw::KernelFamily f) {
  return f == hw::KernelFamily::dense_gemm || f == hw::KernelFamily::grouped_gemm_contiguous ||
         f == hw::KernelFamily::grouped_gemm_masked;
}

bool is_attention(hw::KernelFamily f) {
  return f == hw::KernelFamily::attention_prefill || f == hw::KernelFamily::attention_decode ||
         f == hw::KernelFamily::mla_decode;
}

Op derived(const Op& fwd, const char* suffix, Pass pass) {
  Op op = fwd;
  op.name = fwd.name + suffix;
  op.pass = pass;
  return op;
}

// GEMM Y[rows x n] = X[rows x k] W[k x n]: B = dY W^T (m = rows, k = n, n = k), W = X^T dY (m = k,
// n = n, reducing over the rows of each group), 2*rows*k*n FLOPs each. With FP8 (V3TR §3.3.1: Fprop,
// Dgrad and Wgrad all in FP8) dgrad reads dY in 1x128 tiles and wgrad X^T and dY^T in 128x1 tiles,
// made by the casts add_fp8_backward_casts adds.
void add_gemm_backward(const Op& f, std::vector<Op>& b, std::vector<Op>& w) {
  const hw::KernelWork& fw = f.work;
  const double kn = double(fw.k) * double(fw.n);
  const double rows = fw.flops.value() / (2.0 * kn);
  const double act = fw.bytes_written.value() / (rows * double(fw.n));
  const Bytes weights = fw.bytes_read - Bytes(rows * detail::operand_row_bytes(fw.dtype, fw.k));
  detail::add_fp8_backward_casts(f, rows, b, w);

  Op dx = derived(f, ".dgrad", Pass::backward_input);
  dx.work.m = fw.m;
  dx.work.k = fw.n;
  dx.work.n = fw.k;
  dx.work.bytes_read = Bytes(rows * detail::operand_row_bytes(fw.dtype, fw.n)) + weights;
  dx.work.bytes_written = Bytes(rows * double(fw.k) * act);
  b.push_back(dx);

  Op dw = derived(f, ".wgrad", Pass::backward_weight);
  dw.work.m = fw.k;
  dw.work.n = fw.n;
  dw.work.k = fw.m;
  const double operand = hw::bytes_per_element(fw.dtype);
  double transposed = rows * double(fw.k + fw.n) * operand;
  if (fw.dtype == hw::DType::fp8) {
    transposed += detail::column_scale_bytes(fw.k, fw.groups, fw.m) + detail::column_scale_bytes(fw.n, fw.groups, fw.m);
  }
  dw.work.bytes_read = Bytes(transposed);
  // Weight gradients accumulate in FP32, one per weight element (groups = experts or heads).
  dw.work.bytes_written = Bytes(kn * double(std::max<int64_t>(1, fw.groups)) * 4.0);
  w.push_back(dw);
}

// FlashAttention-style backward over the forward's causal pairs (FlashAttention-2/3 structure):
// preprocess D = rowsum(dO * O); main kernel recomputing S = QK^T and P from the kept log-sum-exp, then
// dV = P^T dO, dP = dO V^T, dQ = dS K, dK = dS^T Q; dQ accumulated in FP32 and converted to BF16.
// FLOPs 2*heads*pairs*(3*d_qk + 2*d_v) against the forward's 2*heads*pairs*(d_qk + d_v).
void add_attention_backward(const Op& f, std::vector<Op>& b) {
  const hw::KernelWork& fw = f.work;
  Op d = derived(f, ".bwd", Pass::backward_input);
  d.work.family = hw::KernelFamily::attention_backward;
  const double dqk = double(fw.head_dim_qk), dv = double(fw.head_dim_v);
  d.work.flops = dqk + dv > 0 ? fw.flops * ((3.0 * dqk + 2.0 * dv) / (dqk + dv)) : fw.flops * 2.5;
  const double query_rows = double(fw.batch) * double(fw.seq_q) * double(fw.heads);
  const double o = query_rows * dv * hw::bytes_per_element(fw.dtype);  // O, and dO of the same size
  const double lse = query_rows * 4.0;                                 // FP32 per query row: LSE, D
  const double dq_fp32 = query_rows * dqk * 4.0;
  // Reads Q, K, V (the forward's reads), O once, dO twice (preprocess, main), LSE, D, the dQ accumulator.
  d.work.bytes_read = fw.bytes_read + Bytes(3.0 * o + 2.0 * lse + dq_fp32);
  // Writes dQ, dK, dV (the shapes of Q, K, V), D, the dQ accumulator.
  d.work.bytes_written = fw.bytes_read + Bytes(lse + dq_fp32);
  b.push_back(d);
}

// The backward of the MoE gather (moe_unpermute, role moe_combine). T29: the output gradient is
// quantised to FP8 before the backward dispatch; then each received row is written to its local
// experts' rows, scaled by the gate weight (folded into the 1x128 tile scales), and the gate gradient
// <dY, expert output> is computed from the kept expert outputs.
void add_unpermute_backward(const Op& f, std::vector<Op>& b) {
  const hw::KernelWork& fw = f.work;
  const double h = double(fw.n);
  const double act = hw::bytes_per_element(fw.dtype);
  const double rows = fw.bytes_read.value() / (h * act + 8.0);
  const double received = fw.bytes_written.value() / (h * act);
  const hw::DType grad = f.output_grad_fp8 ? hw::DType::fp8 : fw.dtype;
  const double grad_row = detail::operand_row_bytes(grad, fw.n);
  if (f.output_grad_fp8) {
    Op q = derived(f, ".bwd_quant", Pass::backward_input);
    q.role = OpRole::fp8_quantize;
    q.work.dtype = hw::DType::fp8;
    q.work.flops = Flops(0.0);
    q.work.bytes_read = Bytes(received * h * act);
    q.work.bytes_written = Bytes(received * grad_row);
    b.push_back(q);
  }
  Op d = derived(f, ".bwd", Pass::backward_input);
  d.work.flops = Flops(2.0 * rows * h);
  d.work.bytes_read = Bytes(received * grad_row + rows * (h * act + 8.0));
  d.work.bytes_written = Bytes(rows * (grad_row + 4.0));
  b.push_back(d);
}

// The backward of moe_permute: each expert row's BF16 input gradient summed back into its received
// token (1 FLOP per row element) before the BF16 combine-direction all-to-all (T29).
void add_permute_backward(const Op& f, std::vector<Op>& b) {
  const hw::KernelWork& fw = f.work;
  const double row = detail::operand_row_bytes(fw.dtype, fw.n);
  const double rows = fw.bytes_written.value() / row;
  const double received = (fw.bytes_read.value() - rows * 4.0) / row;
  const double h = double(fw.n);
  const double grad = hw::bytes_per_element(hw::DType::bf16);
  Op d = derived(f, ".bwd", Pass::backward_input);
  d.role = OpRole::other;
  d.work.dtype = hw::DType::bf16;
  d.work.flops = Flops(rows * h);
  d.work.bytes_read = Bytes(rows * (h * grad + 4.0));
  d.work.bytes_written = Bytes(received * h * grad);
  b.push_back(d);
}

// Softmax cross-entropy backward: dlogits = softmax - onehot(label), scaled (2 FLOPs per logit); reads
// the kept FP32 softmax and the labels, writes the logit gradient in the logits' dtype for the head GEMM.
void add_cross_entropy_backward(const Op& f, std::vector<Op>& b) {
  const hw::KernelWork& fw = f.work;
  const double tokens = double(fw.m);
  const double logits = tokens * double(fw.n);
  const double act = (fw.bytes_read.value() - tokens * 8.0) / logits;
  Op d = derived(f, ".bwd", Pass::backward_input);
  d.work.flops = Flops(2.0 * logits);
  d.work.bytes_read = Bytes(logits * 4.0 + tokens * 8.0);
  d.work.bytes_written = Bytes(logits * act);
  b.push_back(d);
}

void add_elementwise_backward(const Op& f, std::vector<Op>& b) {
  Op d = derived(f, ".bwd", Pass::backward_input);
  if (f.role == OpRole::residual_add || f.role == OpRole::rope) {
    // The same work again: the add where the two gradient paths of a residual (or of the routed and
    // shared experts) merge; RoPE's inverse rotation.
    b.push_back(d);
    return;
  }
  // 2x the forward arithmetic; reads the input and the output gradient, writes the input gradient
  // (norm-weight gradients are negligible and folded in here).
  d.work.flops = f.work.flops * 2.0;
  d.work.bytes_read = f.work.bytes_read + f.work.bytes_written;
  d.work.bytes_written = f.work.bytes_read;
  b.push_back(d);
}

}  // namespace

std::vector<Op> backward_ops(const std::vector<Op>& forward) {
  std::vector<Op> b, w;
  for (auto it = forward.rbegin(); it != forward.rend(); ++it) {
    const Op& f = *it;
    if (f.pass != Pass::forward) continue;
    if (f.role == OpRole::moe_permute) {
      if (f.work.bytes_written.value() > 0.0) add_permute_backward(f, b);
      continue;
    }
    // Gathers, casts (straight-through: the backward's casts are made per GEMM), idle expert groups.
    if (f.work.flops.value() <= 0.0) continue;
    if (is_gemm(f.work.family)) {
      add_gemm_backward(f, b, w);
    } else if (is_attention(f.work.family)) {
      add_attention_backward(f, b);
    } else if (f.role == OpRole::moe_combine && f.work.n > 0) {
      add_unpermute_backward(f, b);
    } else if (f.role == OpRole::cross_entropy) {
      add_cross_entropy_backward(f, b);
    } else {
      add_elementwise_backward(f, b);
    }
  }
  b.insert(b.end(), w.begin(), w.end());
  return b;
}

std::vector<Op> recompute_ops(const std::vector<Op>& ops, const RecomputeSet& set) {
  std::vector<Op> out;
  for (const Op& op : ops) {
    if (op.pass == Pass::forward && set.covers(op)) out.push_back(derived(op, ".recompute", Pass::backward_input));
  }
  return out;
}

}  // namespace fathom::models
