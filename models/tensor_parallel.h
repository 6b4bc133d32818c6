#pragma once
// Tensor parallelism (TP) of the attention and dense-FFN blocks inside a serving unit or a training pipeline stage
// (docs/serving.md, "Tensor-parallel attention"). Megatron-LM's sharding (Shoeybi et al. 2019 §3; with sequence
// parallelism, Korthikanti et al. 2022 §4.2.2): the query/key/value up-projections are split by heads
// (column-parallel), the output projection by its input rows (row-parallel), the dense FFN's gate/up by columns and
// down by rows. Around each TP block the activations of the TP group are all-gathered before it (every GPU computes its
// heads / FFN columns for all the group's tokens) and reduce-scattered after it (partial sums summed, each GPU
// keeping its own tokens). Between blocks each GPU holds only its own tokens, so a MoE block runs exactly as
// under DP attention (the all-to-all over EP from each GPU's own tokens).
//
// MLA (DeepSeek-V3): q_a_proj and kv_a_proj_with_mqa (the down-projections to the latents) are not split
// (replicated, as SGLang's and vLLM's ReplicatedLinear); q_b_proj, kv_b_proj and o_proj and the attention
// kernel are split by heads; the compressed KV latent is shared by all heads, so every GPU of the group
// keeps and reads the latent of all the group's requests (the KV cache is NOT split by TP for MLA).
// GQA: the KV heads are split by TP (replicated when tp > kv_heads).

#include <cstdint>
#include <string>

#include "hw/node_spec.h"
#include "models/model_arch.h"

namespace fathom::models {

// The arch one GPU of a TP group computes attention and dense FFNs with: heads / tp, GQA kv_heads /
// tp (at least 1), dense intermediate / tp; everything else unchanged. tp == 1 returns `arch`.
// Throws std::invalid_argument if tp does not divide the heads or the dense intermediate size.
ModelArch tp_sharded_arch(const ModelArch& arch, int64_t tp);

// One ring all-gather or reduce-scatter over `tp` GPUs inside one node (NVLink), of a tensor whose gathered
// size is `gathered_bytes`: every GPU sends and receives (tp-1)/tp of it in tp-1 steps.
struct TpCollective {
  double bytes_per_gpu = 0;  // sent by each GPU (= received)
  double latency_s = 0;      // (tp-1) x the node's intra-node latency
  double time_s = 0;         // latency + bytes_per_gpu / intra-node achievable bandwidth per direction
};
TpCollective tp_ring_collective(double gathered_bytes, int64_t tp, const hw::NodeSpec& node);

// A TP group stays inside one NVLink (scale-up) domain, which may span several nodes (NVL72: 72 GPUs over 18
// trays of 4, so a TP8 group covers two trays and its collectives run on NVLink at intra_node's bandwidth and
// latency, as tp_ring_collective prices them): tp must divide the domain's GPUs (node.scaleup_domain_gpus, 0
// read as gpus_per_node), so that groups of consecutive GPUs never straddle two domains. Returns why `tp` does
// not fit (the text after "<json path>: "), or "" when it does.
std::string tp_group_misfit(int64_t tp, const hw::NodeSpec& node);

}  // namespace fathom::models
