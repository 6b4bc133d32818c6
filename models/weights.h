#pragma once
// The weight tensors of a model, listed once and used by every counter (parameters, weight bytes
// per dtype, sharding by a memory calculator). Plain data.
//
// Contract: a tensor is rows x cols elements, repeated `copies` times (the routed experts of one
// layer are one entry with copies == routed_experts). `quantizable` marks the GEMM weight matrices
// that an FP8 checkpoint stores in FP8 with block scales; norms, embeddings, the LM head and the
// router gate are never quantised (DeepSeek-V3 FP8 checkpoint convention). Biases, attention sinks
// and the V3.2 indexer's norm and score weights are not quantised either. An MXFP4 checkpoint
// (gpt-oss) stores the quantizable routed-expert matrices in MXFP4 whatever the GEMM dtype
// (param_counts.h, routed_expert_matrix_bytes).

#include <cstdint>
#include <string>
#include <vector>

#include "models/model_arch.h"

namespace fathom::models {

// Which shardable group a tensor belongs to (a memory calculator places each group differently).
enum class WeightGroup {
  attention,       // q/k/v/o projections, MLA down/up projections and their norms
  layer_norm,      // the two per-layer RMSNorms (input, post-attention)
  dense_ffn,       // dense SwiGLU FFN (gate, up, down)
  router,          // MoE gate (and its score-correction bias)
  routed_experts,  // one entry per layer with copies == routed experts
  shared_experts,  // always-active experts (DeepSeek), fused width shared * moe_intermediate
  embedding,       // token embedding table
  head,            // LM head (output projection) and the final norm
  mtp_projection,  // MTP module extras: enorm, hnorm, eh_proj (2h -> h), shared_head norm
};

// One weight tensor (or `copies` identical ones).
struct WeightTensor {
  std::string name;
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t copies = 1;
  WeightGroup group = WeightGroup::attention;
  bool quantizable = false;

  int64_t params() const { return rows * cols * copies; }
};

// The tensors of one decoder layer of `kind` (for mtp: the MTP module's unique tensors, i.e. its
// transformer layer plus the mtp_projection group; the embedding and head it shares are excluded).
std::vector<WeightTensor> layer_weights(const ModelArch& arch, LayerKind kind);
// Embedding, LM head (absent when tied) and final norm.
std::vector<WeightTensor> model_level_weights(const ModelArch& arch);

std::string_view to_string(WeightGroup g);

}  // namespace fathom::models
