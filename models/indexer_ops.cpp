// DeepSeek Sparse Attention's lightning indexer (DeepSeek-V3.2; V3.2-Exp inference code, Indexer;
// kernels in FlashMLA/DeepGEMM, K05): per token, index queries (index_heads x index_head_dim) from the
// compressed query, one index key from the layer input, and one score weight per index head; every
// query scores every earlier key, sum over heads of w_h * ReLU(q_h . k), in FP8; the top index_topk
// keys are what MLA then attends to (mla_ops.cpp).

#include <algorithm>

#include "models/op_builders.h"
#include "models/param_counts.h"

namespace fathom::models::detail {

void add_indexer_ops(const LayerContext& c, const TokenShape& t) {
  const ModelArch& a = c.arch;
  const int64_t T = t.tokens();
  const int64_t H = a.index_heads;
  const int64_t d = a.index_head_dim;
  const double act = act_bytes(c);
  const bool decode = t.step == Step::decode;

  // Index queries from the compressed query (q_b_proj's input and its quantised copy); the index key
  // from the layer input (q_a_proj's); the per-head weights as a BF16 GEMM on the layer input.
  add_linear(c, "indexer_wq_b", T, a.q_lora_rank, H * d);
  c.out.back().input_shared = true;
  add_linear(c, "indexer_wk", T, a.hidden, d);
  c.out.back().input_shared = true;
  add_rms_norm(c, "indexer_k_norm", double(T), d);  // a LayerNorm, priced as one normalisation pass
  add_linear(c, "indexer_weights_proj", T, a.hidden, H, /*quantizable=*/false);
  add_rope(c, "indexer_rope", double(T) * double((H + 1) * a.qk_rope_head_dim));
  // Queries and the key to FP8 (1x128 tiles); the key is written to the index-key cache.
  const double key_bytes = index_key_bytes_per_token_per_layer(a).value();
  add_elementwise(c, "indexer_quant", 0.0, double(T) * double((H + 1) * d) * act,
                  double(T) * (double(H) * operand_row_bytes(hw::DType::fp8, d) + key_bytes));
  c.out.back().role = OpRole::fp8_quantize;

  // Index logits: FP8 q.k over every (query, key) pair of every index head, then ReLU, the head
  // weight and the sum over heads (3 FLOPs per pair and head); FP32 logits out.
  const int64_t prefix = t.seq_kv - t.seq_q;
  const double pairs = decode ? double(T) * double(t.seq_kv) : causal_pairs(t.sequences, t.seq_q, prefix);
  Op logits = attention_op(c, t);
  logits.name = "indexer_logits";
  logits.work.dtype = hw::DType::fp8;
  logits.work.heads = H;
  logits.work.head_dim_qk = d;
  logits.work.flops = Flops(double(H) * pairs * (2.0 * double(d) + 3.0));
  const double keys_read = double(t.sequences) * double(t.seq_kv) * key_bytes;
  logits.work.bytes_read = Bytes(keys_read + double(T) * double(H) * (operand_row_bytes(hw::DType::fp8, d) + 4.0));
  logits.work.bytes_written = Bytes(pairs * 4.0);
  if (decode) {
    // Memory-bound: the paged index-key cache streams once per query (DeepGEMM's paged MQA logits).
    logits.work.family = hw::KernelFamily::attention_decode;
  } else {
    // Compute-bound FP8 GEMM-like kernel (DeepGEMM's MQA logits): m query tokens x k = H*d x n keys.
    logits.work.family = hw::KernelFamily::dense_gemm;
    logits.work.m = T;
    logits.work.k = H * d;
    logits.work.n = t.seq_kv;
  }
  c.out.push_back(logits);
  // Top-k per query: reads its FP32 logits, writes index_topk int32 key indices.
  const double selected = double(T) * double(std::min(a.index_topk, t.seq_kv));
  add_elementwise(c, "indexer_topk", pairs, pairs * 4.0, selected * 4.0);
}

}  // namespace fathom::models::detail
