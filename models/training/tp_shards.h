#pragma once
// What tensor parallelism splits in a training layer, and what it leaves replicated (Megatron-Core with
// sequence parallelism; models/tensor_parallel.h for the attention and dense-FFN sharding it shares with
// serving). Training differs from serving in one point: Megatron-Core's shared experts (SharedExpertMLP, a
// dense MLP under TP) are split like a dense FFN — gate/up by columns, down by rows — so under TP the shared
// expert runs on the whole micro-batch (all-gathered before it, reduce-scattered after it) with width
// shared_experts x moe_intermediate / tp.
//
// The MTP module's eh_proj (2h -> h) is split by its output columns: Megatron-Core builds it as a
// ColumnParallelLinear (multi_token_prediction.py, MultiTokenPredictionLayer: `eh_proj` from the layer spec's
// column_parallel_linear, gather_output=False), so a TP rank holds hidden / tp of its [hidden, 2 hidden] rows
// and runs it on the whole micro-batch: the SP all-gather of its 2h-wide input before it, the gather of the
// h-wide output after it (block_tp_collectives_per_pass). Its GEMM is priced as layer_ops writes it, on the rank's
// own micro-batch / tp tokens at full width (T/tp x 2h -> h): the same FLOPs as the split T x 2h -> h/tp, but a
// whole weight read and another tile shape (a simplification, not Megatron's kernel shape).
//
// With sequence parallelism each TP rank computes the gradients of the replicated weights (RMSNorms, the
// router and its bias, MLA's q_a_proj / kv_a_proj_with_mqa, the MTP module's norms) from its own
// 1/tp of the tokens, so every step all-reduces them over the TP group (Megatron-LM finalize_model_grads:
// the parameters marked sequence_parallel). Routed experts are not TP-split (expert TP 1) and are synchronised
// over expert_dp, not TP.

#include <cstdint>
#include <string>
#include <vector>

#include "models/model_arch.h"
#include "models/weights.h"

namespace fathom::models::training {

// The arch a TP rank computes the TP blocks with: tp_sharded_arch (heads / tp, dense intermediate / tp, GQA kv
// heads / tp) and moe_intermediate / tp, the shared experts' width. Its routed-expert shapes are NOT a TP
// rank's (routed experts are whole): take those from `arch`. tp == 1 returns `arch`. Throws
// std::invalid_argument if tp does not divide the heads, the dense intermediate or (with shared experts) the
// moe_intermediate size.
ModelArch training_tp_arch(const ModelArch& arch, int64_t tp);

// The tensors of one layer of `kind` as a TP rank holds them, other than the routed experts (which it holds
// whole: take their shapes from layer_weights(arch, kind)): layer_weights(training_tp_arch(arch, tp), kind) with
// the MTP module's eh_proj at hidden / tp rows. The same tensors in the same order as layer_weights. tp == 1:
// layer_weights(arch, kind). Throws std::invalid_argument as training_tp_arch, or if tp does not divide the hidden
// size of a layer with an eh_proj.
std::vector<WeightTensor> training_tp_layer_weights(const ModelArch& arch, LayerKind kind, int64_t tp);

// The parameters of one layer of `kind` (LayerKind::mtp: the MTP module's own tensors) other than the routed
// experts, split by what TP does to them: `removed` = whole parameters - what one TP rank holds of them,
// `replicated` = the parameters every TP rank holds whole (their gradients are all-reduced over the TP group).
// Both 0 for tp == 1.
struct TpLayerParams {
  int64_t removed = 0;
  int64_t replicated = 0;
};
TpLayerParams tp_layer_params(const ModelArch& arch, LayerKind kind, int64_t tp);

// Why training cannot split `arch` over `tp` GPUs with micro-batches of `micro_batch_tokens` tokens (the text
// after "<json path>: ", for parallelism.tp), or "" when it can: tp must divide the shared experts' width (they
// are split like a dense FFN), with MTP modules the hidden size (eh_proj's output columns) and a micro-batch's
// tokens (sequence parallelism). The training step and the unit kind's training chunk share it; the heads and the
// NVLink domain are checked elsewhere (validate_parallelism, tp_group_misfit).
std::string training_tp_misfit(const ModelArch& arch, int64_t tp, int64_t micro_batch_tokens);

}  // namespace fathom::models::training
