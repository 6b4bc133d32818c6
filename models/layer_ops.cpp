// One decoder layer (pre-norm: norm, attention, residual, norm, FFN, residual) and one MTP module
// (DeepSeek-V3 §2.2: norms of the hidden state and of the next token's embedding, concat(2h) -> h
// projection, one transformer layer, then the shared LM head after its own norm).

#include <stdexcept>

#include "models/op_builders.h"

namespace fathom::models {

CostOptions default_cost_options(const ModelArch& arch) {
  CostOptions o;
  if (arch.quantization.fp8) o.weight_dtype = hw::DType::fp8;
  return o;
}

namespace detail {
namespace {

void add_layer_body(const LayerContext& c, const TokenShape& t, bool moe, const MoeLoad& load) {
  const double T = double(t.tokens());
  add_rms_norm(c, "input_layernorm", T, c.arch.hidden);
  if (c.arch.attention == AttentionKind::mla) {
    add_mla_ops(c, t);
  } else {
    add_gqa_ops(c, t);
  }
  add_residual(c, "attn_residual", T, c.arch.hidden);
  add_rms_norm(c, "post_attention_layernorm", T, c.arch.hidden);
  if (moe) {
    add_moe_ops(c, t, load);
  } else {
    add_dense_ffn_ops(c, t);
  }
  add_residual(c, "ffn_residual", T, c.arch.hidden);
}

}  // namespace

void add_lm_head(const LayerContext& c, std::string prefix, int64_t logit_tokens) {
  add_rms_norm(c, prefix + "norm", double(logit_tokens), c.arch.hidden);
  add_linear(c, prefix + "lm_head", logit_tokens, c.arch.hidden, c.arch.vocab, /*quantizable=*/false);
}

void add_embedding(const LayerContext& c, std::string name, int64_t tokens) {
  // A gather of `tokens` BF16 rows; no arithmetic.
  const double elems = double(tokens) * double(c.arch.hidden);
  add_elementwise(c, std::move(name), 0.0, elems * 2.0, elems * act_bytes(c));
}

void add_cross_entropy(const LayerContext& c, std::string name, int64_t tokens) {
  // assumed: the logits are materialised by the LM head and the softmax is computed and kept in FP32 for
  // the backward (as Megatron-LM's vocab-parallel cross-entropy keeps it), the upcast, max, exp-sum and
  // normalisation fused into one pass. Labels are int64.
  const double logits = double(tokens) * double(c.arch.vocab);
  add_elementwise(c, std::move(name), 3.0 * logits, logits * act_bytes(c) + double(tokens) * 8.0,
                  logits * 4.0 + double(tokens) * 4.0);
  Op& op = c.out.back();
  op.role = OpRole::cross_entropy;
  op.work.m = tokens;
  op.work.n = c.arch.vocab;
}

std::vector<Op> layer_forward_ops(const ModelArch& arch, int64_t layer, const TokenShape& t, const CostOptions& options,
                                  const MoeLoad& load, int64_t logit_tokens) {
  if (layer < 0 || layer >= arch.layers + arch.mtp_layers) {
    throw std::out_of_range("layer " + std::to_string(layer) + " is not a layer of " + arch.name);
  }
  std::vector<Op> out;
  const LayerContext c{arch, layer, options, out};
  const LayerKind kind = arch.kind_of_layer(layer);
  if (kind != LayerKind::mtp) {
    add_layer_body(c, t, kind == LayerKind::moe, load);
    return out;
  }
  const double T = double(t.tokens());
  add_embedding(c, "mtp_embedding", t.tokens());  // the shared embedding, looked up for token i+1
  add_rms_norm(c, "enorm", T, arch.hidden);
  add_rms_norm(c, "hnorm", T, arch.hidden);
  add_quantize(c, "eh_proj_quant", T, 2 * arch.hidden);  // concat(enorm, hnorm), 2h wide
  add_linear(c, "eh_proj", t.tokens(), 2 * arch.hidden, arch.hidden);
  add_layer_body(c, t, arch.mtp_layer_is_moe, load);
  add_lm_head(c, "shared_head.", logit_tokens);
  if (t.step == Step::training_forward) add_cross_entropy(c, "mtp_cross_entropy", logit_tokens);
  return out;
}

}  // namespace detail

namespace {

detail::TokenShape prefill_tokens(const PrefillShape& s, detail::Step step) {
  if (s.sequences < 1 || s.seq_len < 1)
    throw std::invalid_argument("prefill shape needs sequences >= 1 and seq_len >= 1");
  if (s.prefix_len < 0) throw std::invalid_argument("prefill shape needs prefix_len >= 0");
  return {step, s.sequences, s.seq_len, s.prefix_len + s.seq_len};
}

detail::TokenShape decode_tokens(const DecodeShape& s) {
  if (s.sequences < 1 || s.context < 1 || s.tokens_per_sequence < 1)
    throw std::invalid_argument("decode shape needs sequences, context and tokens_per_sequence >= 1");
  return {detail::Step::decode, s.sequences, s.tokens_per_sequence, s.context};
}

int64_t prefill_logit_tokens(const PrefillShape& s) { return s.logits_all_tokens ? s.tokens() : s.sequences; }

}  // namespace

std::vector<Op> prefill_layer_ops(const ModelArch& arch, int64_t layer, const PrefillShape& shape,
                                  const CostOptions& options, const MoeLoad& load) {
  return detail::layer_forward_ops(arch, layer, prefill_tokens(shape, detail::Step::prefill), options, load,
                                   prefill_logit_tokens(shape));
}

std::vector<Op> decode_layer_ops(const ModelArch& arch, int64_t layer, const DecodeShape& shape,
                                 const CostOptions& options, const MoeLoad& load) {
  return detail::layer_forward_ops(arch, layer, decode_tokens(shape), options, load, shape.sequences);
}

std::vector<Op> training_layer_ops(const ModelArch& arch, int64_t layer, const PrefillShape& shape,
                                   const CostOptions& options, const MoeLoad& load) {
  const auto t = prefill_tokens(shape, detail::Step::training_forward);
  std::vector<Op> ops = detail::layer_forward_ops(arch, layer, t, options, load, shape.tokens());
  std::vector<Op> back = backward_ops(ops);
  ops.insert(ops.end(), back.begin(), back.end());
  return ops;
}

std::vector<Op> embedding_ops(const ModelArch& arch, int64_t tokens, const CostOptions& options) {
  std::vector<Op> out;
  detail::add_embedding({arch, -1, options, out}, "embedding", tokens);
  return out;
}

std::vector<Op> head_ops(const ModelArch& arch, int64_t logit_tokens, const CostOptions& options) {
  std::vector<Op> out;
  detail::add_lm_head({arch, -1, options, out}, "final_", logit_tokens);
  return out;
}

}  // namespace fathom::models
