// Whole-model op lists (prefill, decode, training) and the embedding and head in training; the
// backward ops themselves are derived in models/backward_ops.cpp.

#include "models/op_builders.h"

namespace fathom::models {
std::vector<Op> training_embedding_ops(const ModelArch& arch, int64_t tokens, const CostOptions& options) {
  std::vector<Op> out = embedding_ops(arch, tokens, options);
  // Scatter-add of the output gradient rows into an FP32 embedding gradient.
  Op w = out.front();
  w.name += ".wgrad";
  w.pass = Pass::backward_weight;
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
