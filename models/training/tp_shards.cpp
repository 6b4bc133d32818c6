#include "models/training/tp_shards.h"

#include <fmt/format.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "models/tensor_parallel.h"

namespace fathom::models::training {

ModelArch training_tp_arch(const ModelArch& arch, int64_t tp) {
  ModelArch a = tp_sharded_arch(arch, tp);
  if (tp <= 1 || arch.shared_experts == 0) return a;
  if (arch.moe_intermediate % tp != 0) {
    throw std::invalid_argument("training_tp_arch: tp does not divide the shared experts' moe_intermediate size");
  }
  a.moe_intermediate = arch.moe_intermediate / tp;
  return a;
}

std::vector<WeightTensor> training_tp_layer_weights(const ModelArch& arch, LayerKind kind, int64_t tp) {
  if (tp <= 1) return layer_weights(arch, kind);
  std::vector<WeightTensor> shard = layer_weights(training_tp_arch(arch, tp), kind);
  for (WeightTensor& t : shard) {
    if (t.name != "eh_proj") continue;
    if (t.rows % tp != 0) throw std::invalid_argument("training_tp_layer_weights: tp does not divide eh_proj's rows");
    t.rows /= tp;  // ColumnParallelLinear: output columns (the weight's rows) split over the TP group
  }
  return shard;
}

TpLayerParams tp_layer_params(const ModelArch& arch, LayerKind kind, int64_t tp) {
  TpLayerParams out;
  if (tp <= 1) return out;
  const std::vector<WeightTensor> whole = layer_weights(arch, kind);
  const std::vector<WeightTensor> shard = training_tp_layer_weights(arch, kind, tp);
  if (whole.size() != shard.size()) throw std::logic_error("tp_layer_params: the sharded layer has other tensors");
  for (size_t i = 0; i < whole.size(); ++i) {
    if (whole[i].group == WeightGroup::routed_experts) continue;
    if (whole[i].name != shard[i].name) throw std::logic_error("tp_layer_params: tensors differ at " + whole[i].name);
    const int64_t w = whole[i].params(), s = shard[i].params();
    if (w == s) {
      out.replicated += w;
    } else {
      out.removed += w - s;
    }
  }
  return out;
}

std::string training_tp_misfit(const ModelArch& arch, int64_t tp, int64_t micro_batch_tokens) {
  if (arch.shared_experts > 0 && arch.moe_intermediate % tp != 0) {
    return fmt::format(
        "{} does not divide the shared experts' moe_intermediate_size {} (training splits them like a "
        "dense FFN)",
        tp, arch.moe_intermediate);
  }
  if (arch.mtp_layers > 0 && arch.hidden % tp != 0) {
    return fmt::format(
        "{} does not divide the hidden size {} (the MTP module's eh_proj is split by its output "
        "columns)",
        tp, arch.hidden);
  }
  if (micro_batch_tokens % tp != 0) {
    return fmt::format("{} does not divide the {} tokens of a micro-batch (sequence parallelism splits them)", tp,
                       micro_batch_tokens);
  }
  return "";
}

}  // namespace fathom::models::training
