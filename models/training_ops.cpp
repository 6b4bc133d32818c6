// Training: backward ops derived from forward ops (B = input gradients, W = weight gradients, as
// DualPipe splits them), the embedding and head in training, and whole-model op lists.

#include <algorithm>

#include "models/op_builders.h"

namespace fathom::models {
namespace {

bool is_gemm(hw::KernelFamily f) {
  return f == hw::KernelFamily::dense_gemm || f == hw::KernelFamily::grouped_gemm_contiguous ||
         f == hw::KernelFamily::grouped_gemm_masked;
}

Op derived(const Op& fwd, const char* suffix, Pass pass) {
  Op op = fwd;
  op.name = fwd.name + suffix;
  op.pass = pass;
  return op;
}

// GEMM X[rows x k] W[k x n] = Y: B = dY W^T (rows x n x k), W = X^T dY (k x rows x n), 2*rows*k*n each.
void add_gemm_backward(const Op& f, std::vector<Op>& b, std::vector<Op>& w) {
  const hw::KernelWork& fw = f.work;
  const double kn = double(fw.k) * double(fw.n);
  const double rows = fw.flops.value() / (2.0 * kn);
  const double operand = hw::bytes_per_element(fw.dtype);
  const double act = fw.bytes_written.value() / (rows * double(fw.n));
  const Bytes weights = fw.bytes_read - Bytes(rows * double(fw.k) * operand);
  Op dx = derived(f, ".dgrad", Pass::backward_input);
  dx.work.bytes_read = Bytes(rows * double(fw.n) * operand) + weights;
  dx.work.bytes_written = Bytes(rows * double(fw.k) * act);
  b.push_back(dx);
  Op dw = derived(f, ".wgrad", Pass::backward_weight);
  dw.work.bytes_read = Bytes(rows * double(fw.k + fw.n) * operand);
  // Weight gradients accumulate in FP32, one per weight element (groups = experts or heads).
  dw.work.bytes_written = Bytes(kn * double(std::max<int64_t>(1, fw.groups)) * 4.0);
  w.push_back(dw);
}

}  // namespace

std::vector<Op> backward_ops(const std::vector<Op>& forward) {
  std::vector<Op> b, w;
  for (auto it = forward.rbegin(); it != forward.rend(); ++it) {
    const Op& f = *it;
    if (f.pass != Pass::forward) continue;
    if (f.work.flops.value() <= 0.0) continue;  // gathers, idle expert groups: no gradient work
    if (is_gemm(f.work.family)) {
      add_gemm_backward(f, b, w);
    } else if (f.work.family == hw::KernelFamily::attention_prefill ||
               f.work.family == hw::KernelFamily::attention_decode || f.work.family == hw::KernelFamily::mla_decode) {
      // FlashAttention-2 backward: recompute S/P, dV, dP, dQ, dK = 5 matmuls vs 2 forward -> 2.5x.
      // Reads Q, K, V, O, dO; writes dQ, dK, dV. No weights.
      Op d = derived(f, ".bwd", Pass::backward_input);
      d.work.flops = f.work.flops * 2.5;
      d.work.bytes_read = f.work.bytes_read + f.work.bytes_written * 2.0;
      d.work.bytes_written = f.work.bytes_read;
      b.push_back(d);
    } else {
      // Elementwise: 2x the forward arithmetic; reads the input and the output gradient, writes
      // the input gradient (norm-weight gradients are negligible and folded in here).
      Op d = derived(f, ".bwd", Pass::backward_input);
      d.work.flops = f.work.flops * 2.0;
      d.work.bytes_read = f.work.bytes_read + f.work.bytes_written;
      d.work.bytes_written = f.work.bytes_read;
      b.push_back(d);
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

std::vector<Op> training_embedding_ops(const ModelArch& arch, int64_t tokens, const CostOptions& options) {
  std::vector<Op> out = embedding_ops(arch, tokens, options);
  // Scatter-add of the output gradient rows into an FP32 embedding gradient.
  Op w = derived(out.front(), ".wgrad", Pass::backward_weight);
  const double elems = double(tokens) * double(arch.hidden);
  w.work.flops = Flops(elems);
  w.work.bytes_read = Bytes(elems * hw::bytes_per_element(options.activation_dtype) + elems * 4.0);
  w.work.bytes_written = Bytes(elems * 4.0);
  out.push_back(w);
  return out;
}

std::vector<Op> training_head_ops(const ModelArch& arch, int64_t tokens, const CostOptions& options) {
  std::vector<Op> out = head_ops(arch, tokens, options);
  detail::add_cross_entropy({arch, -1, options, out}, "cross_entropy", tokens);
  std::vector<Op> back = backward_ops(out);
  out.insert(out.end(), back.begin(), back.end());
  return out;
}

std::vector<Op> prefill_model_ops(const ModelArch& arch, const PrefillShape& shape, const CostOptions& options,
                                  bool include_mtp) {
  std::vector<Op> out = embedding_ops(arch, shape.tokens(), options);
  const int64_t last = arch.layers + (include_mtp ? arch.mtp_layers : 0);
  for (int64_t l = 0; l < arch.layers; ++l) {
    auto ops = prefill_layer_ops(arch, l, shape, options);
    out.insert(out.end(), ops.begin(), ops.end());
  }
  auto head = head_ops(arch, shape.logits_all_tokens ? shape.tokens() : shape.sequences, options);
  out.insert(out.end(), head.begin(), head.end());
  for (int64_t l = arch.layers; l < last; ++l) {
    auto ops = prefill_layer_ops(arch, l, shape, options);
    out.insert(out.end(), ops.begin(), ops.end());
  }
  return out;
}

std::vector<Op> decode_model_ops(const ModelArch& arch, const DecodeShape& shape, const CostOptions& options,
                                 bool include_mtp) {
  std::vector<Op> out = embedding_ops(arch, shape.sequences, options);
  const int64_t last = arch.layers + (include_mtp ? arch.mtp_layers : 0);
  for (int64_t l = 0; l < arch.layers; ++l) {
    auto ops = decode_layer_ops(arch, l, shape, options);
    out.insert(out.end(), ops.begin(), ops.end());
  }
  auto head = head_ops(arch, shape.sequences, options);
  out.insert(out.end(), head.begin(), head.end());
  for (int64_t l = arch.layers; l < last; ++l) {
    auto ops = decode_layer_ops(arch, l, shape, options);
    out.insert(out.end(), ops.begin(), ops.end());
  }
  return out;
}

std::vector<Op> training_model_ops(const ModelArch& arch, const PrefillShape& shape, const CostOptions& options,
                                   bool include_mtp) {
  std::vector<Op> out = training_embedding_ops(arch, shape.tokens(), options);
  const int64_t last = arch.layers + (include_mtp ? arch.mtp_layers : 0);
  for (int64_t l = 0; l < last; ++l) {
    auto ops = training_layer_ops(arch, l, shape, options);
    out.insert(out.end(), ops.begin(), ops.end());
  }
  auto head = training_head_ops(arch, shape.tokens(), options);
  out.insert(out.end(), head.begin(), head.end());
  return out;
}

Flops total_flops(const std::vector<Op>& ops) {
  Flops f;
  for (const auto& op : ops) f += op.work.flops;
  return f;
}

Bytes total_bytes(const std::vector<Op>& ops) {
  Bytes b;
  for (const auto& op : ops) b += op.work.bytes();
  return b;
}

std::string_view to_string(Pass p) {
  switch (p) {
    case Pass::forward:
      return "F";
    case Pass::backward_input:
      return "B";
    case Pass::backward_weight:
      return "W";
  }
  return "F";
}

}  // namespace fathom::models
