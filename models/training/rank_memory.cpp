#include "models/training/rank_memory.h"

#include <algorithm>
#include <map>
#include <optional>

#include "models/param_counts.h"

namespace fathom::models::training {
namespace {

using schedule::PassKind;

// Builds one block's items; every item is `elements x bytes per element`.
class Items {
 public:
  explicit Items(const ActivationRules& r) : rules_(r), act_(hw::bytes_per_element(r.activation_dtype)) {}
  double act() const { return act_; }
  // A GEMM input cached for the backward: FP8 with tile scales under the recipe, else at activation dtype.
  double gemm_cache() const { return rules_.fp8_recipe ? kFp8CachedBytes : act_; }
  void add(std::string name, double elements, double bytes_per_element, bool weight_input, std::string basis) {
    out_.push_back({std::move(name), elements * bytes_per_element, weight_input, std::move(basis)});
  }
  std::vector<ActivationItem> take() { return std::move(out_); }

 private:
  const ActivationRules& rules_;
  double act_;
  std::vector<ActivationItem> out_;
};

constexpr const char* kNormRecomputed = "not kept when RMSNorm is recomputed (V3TR §3.2.3)";

// Attention of one layer (MLA or GQA) for T tokens, from the layer input to the attention residual.
void attention_items(const ModelArch& a, double T, const ActivationRules& r, Items& it) {
  const double h = double(a.hidden), H = double(a.heads);
  const bool norm_kept = !r.recompute.rms_norm;
  it.add("layer input (residual stream)", T * h, it.act(), false,
         "input_layernorm's backward and its recomputation read it; BF16");
  if (a.attention == AttentionKind::mla) {
    if (norm_kept) {
      it.add("input_layernorm output (q_a_proj and kv_a_proj input, one copy)", T * h, it.gemm_cache(), true,
             std::string("the two GEMMs' cached input; ") + kNormRecomputed);
    }
    const bool up_kept = !r.recompute.mla_up_projection;
    if (a.q_lora_rank > 0) {
      it.add("q_a_proj output (q_a_layernorm input)", T * double(a.q_lora_rank), it.act(), false,
             "q_a_layernorm's backward and recomputation; BF16");
      if (norm_kept) {
        it.add("q_a_layernorm output (q_b_proj input)", T * double(a.q_lora_rank), it.gemm_cache(), true,
               std::string("q_b_proj's cached input; ") + kNormRecomputed);
      }
    }
    it.add("kv_a_proj output: compressed KV (kv_a_layernorm input)", T * double(a.kv_lora_rank), it.act(), false,
           "kv_a_layernorm's backward and recomputation; BF16");
    it.add("k_rope: one shared RoPE key per token", T * double(a.qk_rope_head_dim), it.act(), false,
           "the decoupled key is shared by all heads (V3TR §2.1.1): qk_rope_head_dim values per token, not per "
           "head; BF16");
    if (norm_kept) {
      it.add("kv_a_layernorm output (kv_b_proj input)", T * double(a.kv_lora_rank), it.gemm_cache(), true,
             std::string("kv_b_proj's cached input; ") + kNormRecomputed);
    }
    if (up_kept || a.q_lora_rank == 0) {
      it.add("queries Q (after RoPE)", T * H * double(a.qk_nope_head_dim + a.qk_rope_head_dim), it.act(), false,
             "attention's backward; not kept when the MLA up-projections are recomputed (V3TR §3.2.3); BF16");
    }
    if (up_kept) {
      it.add("per-head keys K_nope and values V (kv_b_proj output)", T * H * double(a.qk_nope_head_dim + a.v_head_dim),
             it.act(), false,
             "attention's backward; not kept when the MLA up-projections are recomputed (V3TR §3.2.3); BF16");
    }
  } else {
    const double d = double(a.head_dim);
    if (norm_kept) {
      it.add("input_layernorm output (qkv_proj input)", T * h, it.gemm_cache(), true,
             std::string("qkv_proj's cached input; ") + kNormRecomputed);
    }
    it.add("queries, keys and values (after RoPE)", T * (H + 2.0 * double(a.kv_heads)) * d, it.act(), false,
           "attention's backward: heads queries, kv_heads keys and values; BF16");
  }
  const double o = T * H * double(a.v_dim());
  if (r.fp8_recipe) {
    it.add("attention output O (o_proj input, one copy)", o, kE5M6CachedBytes, true,
           "attention's backward and o_proj's weight gradient read the same tensor, cached once in E5M6 with "
           "1x128 tile scales (V3TR §3.3.3, T29)");
  } else {
    it.add("attention output O (o_proj input, one copy)", o, it.act(), true,
           "attention's backward and o_proj's weight gradient read the same tensor, kept once; BF16");
  }
  it.add("attention softmax log-sum-exp", T * H, 4.0, false,
         "FlashAttention's backward recomputes the scores from it; FP32 per row and head");
  it.add("attention residual output (post_attention_layernorm input)", T * h, it.act(), false,
         "post_attention_layernorm's backward and its recomputation read it; BF16");
}

// The FFN of one layer: dense SwiGLU, or routed + shared experts receiving `moe_rows` rows on this GPU.
void ffn_items(const ModelArch& a, double T, bool moe, double moe_rows, const ActivationRules& r, Items& it) {
  const double h = double(a.hidden);
  const bool norm_kept = !r.recompute.rms_norm;
  // The SwiGLU input (gate and up, 2 x width) and, without the recipe, its output (the down projection's input).
  auto swiglu = [&](const std::string& who, double rows, double width, bool fp8_cached) {
    if (fp8_cached) {
      it.add(who + " SwiGLU input (gate and up)", rows * 2.0 * width, kFp8CachedBytes, true,
             "cached in FP8 with 1x128 tile scales, its output recomputed in the backward (V3TR §3.3.3, T29); the "
             "down projection keeps no input");
      return;
    }
    it.add(who + " SwiGLU input (gate and up)", rows * 2.0 * width, it.act(), false, "SwiGLU's backward; BF16");
    it.add(who + " SwiGLU output (down projection input)", rows * width, it.gemm_cache(), true,
           "the down projection's cached input");
  };
  if (!moe) {
    if (norm_kept) {
      it.add("post_attention_layernorm output (FFN input)", T * h, it.gemm_cache(), true,
             std::string("gate/up's cached input; ") + kNormRecomputed);
    }
    // T29 names the MoE SwiGLU only: a dense layer's SwiGLU input stays BF16 and its output is kept.
    it.add("dense SwiGLU input (gate and up)", T * 2.0 * double(a.intermediate), it.act(), false,
           "SwiGLU's backward; BF16 (T29's FP8 caching names the MoE SwiGLU only)");
    it.add("dense SwiGLU output (down projection input)", T * double(a.intermediate), it.gemm_cache(), true,
           "the down projection's cached input");
    return;
  }
  if (norm_kept) {
    it.add("post_attention_layernorm output (router and shared-expert input)", T * h, it.act(), true,
           std::string("the router's BF16 GEMM input, which the shared experts quantise again; ") + kNormRecomputed);
  }
  it.add("router: selected experts' ids and weights", T * double(a.experts_per_token), 8.0 + 4.0, false,
         "the gate's backward needs the top-k affinities (FP32) and ids (int64, as DeepEP takes them)");
  it.add("dispatched tokens on this GPU (its experts' gate/up input)", moe_rows * h, it.gemm_cache(), true,
         r.fp8_recipe ? "FP8 dispatch (T29): the received FP8 tokens and tile scales are the grouped GEMM's "
                        "cached input"
                      : "the grouped GEMM's cached input");
  swiglu("routed-expert", moe_rows, double(a.moe_intermediate), r.fp8_recipe);
  if (a.shared_experts > 0) swiglu("shared-expert", T, double(a.shared_experts * a.moe_intermediate), r.fp8_recipe);
  if (r.keep_expert_outputs) {
    it.add("expert outputs (gate-weight gradient)", moe_rows * h, it.act(), false,
           "training.keep_expert_outputs: the combine keeps its inputs for <dy, e_i>; BF16");
  }
}

// The final norm + LM head + cross-entropy on T tokens (the main head or an MTP module's shared head).
void head_items(const ModelArch& a, double T, const std::string& who, const ActivationRules& r, Items& it) {
  const double h = double(a.hidden);
  it.add(who + " norm input", T * h, it.act(), false, "the final norm's backward and recomputation; BF16");
  if (!r.recompute.rms_norm) {
    it.add(who + " norm output (LM head input)", T * h, it.act(), true,
           std::string("the LM head's BF16 GEMM input; ") + kNormRecomputed);
  }
  it.add(who + " logits (cross-entropy backward)", T * double(a.vocab), it.act(), false,
         "the softmax cross-entropy's backward reads the logits; BF16");
}

ActivationBytes sum_items(const std::vector<ActivationItem>& items) {
  ActivationBytes b;
  for (const ActivationItem& i : items) {
    b.stored += i.bytes;
    if (i.weight_input) b.weight_inputs += i.bytes;
  }
  return b;
}

// The per-stage counts alive at each rank's peak (and the peak itself): the largest of the live counts after
// each forward (the first in program order on a tie), each worth sum over stages of full x stored +
// weight_only x weight_inputs bytes.
struct Walk {
  double peak = 0;
  PeakComposition at_peak;
};

// The most micro-batches a rank holds whole (schedule::peak_activations from the live counts).
int live_micro_batches(const std::vector<schedule::LiveCounts>& states) {
  int most = 0;
  for (const schedule::LiveCounts& c : states) {
    int n = 0;
    for (const int f : c.full) n += f;
    most = std::max(most, n);
  }
  return most;
}

std::vector<Walk> walk(const schedule::ScheduleDigest& digest, const std::vector<ActivationBytes>& per_stage) {
  std::vector<Walk> out;
  const size_t stages = per_stage.size();
  for (const std::vector<schedule::LiveCounts>& states : digest.after_forward()) {
    Walk w;
    const schedule::LiveCounts* at_peak = nullptr;
    for (const schedule::LiveCounts& c : states) {
      double held = 0;
      for (size_t st = 0; st < c.full.size(); ++st) {
        const ActivationBytes& a = per_stage.at(st);
        held += double(c.full[st]) * a.stored + double(c.weight_only[st]) * a.weight_inputs;
      }
      if (held > w.peak) w.peak = held, at_peak = &c;
    }
    w.at_peak = at_peak ? *at_peak : PeakComposition{std::vector<int>(stages, 0), std::vector<int>(stages, 0)};
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace

std::vector<ActivationItem> activation_items(const ModelArch& a, BlockKind kind, int64_t layer, int64_t tokens,
                                             double moe_rows, const ActivationRules& r) {
  Items it(r);
  const double T = double(tokens);
  switch (kind) {
    case BlockKind::embedding:
      it.add("token ids (embedding gradient)", T, 4.0, true,
             "the embedding's weight gradient scatters the output gradient by token id; int32");
      break;
    case BlockKind::head:
      head_items(a, T, "final", r, it);
      break;
    case BlockKind::layer:
    case BlockKind::mtp: {
      const LayerKind lk = a.kind_of_layer(layer);
      const bool mtp = lk == LayerKind::mtp;
      const bool moe = lk == LayerKind::moe || (mtp && a.mtp_layer_is_moe);
      if (mtp) {
        // The main model's last hidden state (hnorm's input) is the final norm's input: counted by the head.
        it.add("MTP embedding output (enorm input)", T * double(a.hidden), it.act(), false,
               "enorm's backward and recomputation; BF16");
        if (!r.recompute.rms_norm) {
          it.add("MTP enorm and hnorm outputs (eh_proj input)", T * 2.0 * double(a.hidden), it.gemm_cache(), true,
                 std::string("eh_proj's cached input; ") + kNormRecomputed);
        }
      }
      attention_items(a, T, r, it);
      ffn_items(a, T, moe, moe ? moe_rows : 0.0, r, it);
      if (mtp) head_items(a, T, "MTP head", r, it);
      break;
    }
  }
  return it.take();
}

ActivationBytes activation_bytes(const std::vector<ActivationItem>& items) { return sum_items(items); }

ActivationRules activation_rules(const TrainingScenario& s) {
  ActivationRules r;
  r.fp8_recipe = s.model.weights_dtype == hw::DType::fp8;  // as predict_training prices the blocks
  r.keep_expert_outputs = s.spec.keep_expert_outputs;
  r.recompute = s.spec.recompute;
  r.activation_dtype = default_cost_options(s.model.arch).activation_dtype;
  return r;
}

std::vector<std::vector<ActivationItem>> stage_activation_items(const TrainingScenario& s,
                                                                const std::vector<Stage>& stages) {
  const ActivationRules rules = activation_rules(s);
  std::vector<std::vector<ActivationItem>> out;
  for (const Stage& st : stages) {
    std::vector<ActivationItem> items;
    for (const BlockCost& b : st.blocks) {
      const MoeLoad load = b.moe ? ep_moe_load(s.model.arch, s.layout, b.expert_imbalance) : MoeLoad{};
      const double rows = b.moe ? double(load.experts) * load.tokens_per_expert : 0.0;
      // Under TP with sequence parallelism every activation of a GPU is 1/tp of the micro-batch's
      // (Korthikanti et al. 2022 §4.2.2, Table 2): priced at the GPU's tokens_per_gpu.
      const auto one = activation_items(s.model.arch, b.kind, b.layer, s.layout.tokens_per_gpu(), rows, rules);
      items.insert(items.end(), one.begin(), one.end());
    }
    out.push_back(std::move(items));
  }
  return out;
}

std::vector<ActivationBytes> stage_activation_bytes(const TrainingScenario& s, const std::vector<Stage>& stages) {
  std::vector<ActivationBytes> out;
  for (const auto& items : stage_activation_items(s, stages)) out.push_back(sum_items(items));
  return out;
}

std::vector<double> peak_activation_bytes(const schedule::Schedule& schedule,
                                          const std::vector<ActivationBytes>& per_stage) {
  std::vector<double> peaks;
  for (const Walk& w : walk(schedule::digest(schedule), per_stage)) peaks.push_back(w.peak);
  return peaks;
}

std::vector<PeakComposition> peak_activation_composition(const schedule::Schedule& schedule,
                                                         const std::vector<ActivationBytes>& per_stage) {
  std::vector<PeakComposition> out;
  for (Walk& w : walk(schedule::digest(schedule), per_stage)) out.push_back(std::move(w.at_peak));
  return out;
}

TrainingMemory training_memory(const TrainingScenario& s, const TrainingPrediction& p) {
  return training_memory(s, p.stages);
}

TrainingMemory training_memory(const TrainingScenario& s, const std::vector<Stage>& stages, bool with_details,
                               TrainingPriceCache* cache) {
  TrainingMemory out;
  out.hbm_bytes = s.cluster.node.gpu.hbm_capacity.value();
  std::optional<schedule::ScheduleDigest> own_digest;
  const schedule::ScheduleDigest& digest =
      cache ? schedule_digest(s, s.spec.micro_batches, *cache) : own_digest.emplace(schedule::digest(*s.schedule));
  const std::vector<std::vector<int>>& rank_stages = digest.held();
  std::vector<std::vector<ActivationItem>> items;  // per stage; filled when needed (not from the cache)
  std::vector<ActivationBytes> own_bytes;
  const std::vector<ActivationBytes>* per_stage = &own_bytes;
  const StageKey activation_key = stage_key(s);
  if (cache && !with_details) {
    if (const auto it = cache->activation_bytes.find(activation_key); it != cache->activation_bytes.end()) {
      per_stage = &it->second;
    }
  }
  if (per_stage == &own_bytes) {
    items = stage_activation_items(s, stages);
    for (const auto& i : items) own_bytes.push_back(sum_items(i));
    if (cache) per_stage = &cache->activation_bytes.insert_or_assign(activation_key, own_bytes).first->second;
  }
  const std::vector<Walk> walks = walk(digest, *per_stage);
  const double deepep = deepep_buffer_bytes(s.model.arch, s.layout, s.spec, hw::scaleup_domain_gpus(s.cluster.node));
  Fp8WeightBytes fp8(s.model.arch, s.layout, s.model.weights_dtype, s.spec.fp8_weight_copies);
  for (size_t r = 0; r < rank_stages.size(); ++r) {
    RankMemory m;
    m.rank = int(r);
    m.stages = rank_stages[r];
    const RankStateBytes st = rank_state_bytes(stages, m.stages, s.spec, s.layout);
    m.parameters_bytes = st.parameters;
    m.fp8_weights_bytes = fp8.of(stages, m.stages);
    m.gradients_bytes = st.gradients;
    m.optimizer_bytes = st.optimizer;
    m.activations_bytes = walks.at(r).peak;
    m.activation_micro_batches = live_micro_batches(digest.after_forward().at(r));
    m.deepep_buffers_bytes = deepep;
    m.workspace_bytes = s.spec.workspace.value();
    m.total_bytes = m.parameters_bytes + m.fp8_weights_bytes + m.gradients_bytes + m.optimizer_bytes +
                    m.activations_bytes + m.deepep_buffers_bytes + m.workspace_bytes;
    if (m.total_bytes > (out.per_rank.empty() ? -1.0 : out.per_rank[size_t(out.worst_rank)].total_bytes)) {
      out.worst_rank = int(r);
    }
    out.per_rank.push_back(m);
  }
  out.headroom_bytes = out.hbm_bytes - out.per_rank.at(size_t(out.worst_rank)).total_bytes;
  out.fits = out.headroom_bytes >= 0;
  if (!with_details) return out;
  // The worst rank's peak, item by item, in the order the items first appear.
  const PeakComposition& peak = walks.at(size_t(out.worst_rank)).at_peak;
  std::map<std::string, size_t> index;
  for (size_t st = 0; st < items.size(); ++st) {
    for (const ActivationItem& i : items[st]) {
      const double n = double(peak.full[st]) + (i.weight_input ? double(peak.weight_only[st]) : 0.0);
      auto [it, inserted] = index.emplace(i.name, out.worst_rank_activations.size());
      if (inserted) out.worst_rank_activations.push_back({i.name, 0.0, i.basis});
      out.worst_rank_activations[it->second].bytes += n * i.bytes;
    }
  }
  std::erase_if(out.worst_rank_activations, [](const ActivationItemTotal& t) { return t.bytes <= 0; });
  const auto assumed = [](std::string reason) { return Provenance{SourceKind::assumed, std::move(reason)}; };
  out.assumptions = {
      {"memory.activations", "estimate",
       assumed("the tensors a micro-batch keeps from forward to backward, item by item (docs/memory.md, Training "
               "memory), times the schedule's live micro-batches; not measured")},
      {"memory.parameters_dtype", std::string(hw::to_string(s.spec.parameter_gather_dtype)),
       assumed("the compute copy of the weights is kept at training.parameter_gather_dtype, what the ZeRO-1 "
               "all-gather delivers; the FP8 GEMMs' copies are counted apart (training.fp8_weight_copies)")},
      {"memory.deepep_buffers", "formula",
       assumed("DeepEP normal-kernel buffers: communication_sms / 2 channels x (NVLink peers x "
               "deepep_nvl_buffer_tokens + 2 x remote nodes x deepep_rdma_buffer_tokens) token slots of a BF16 "
               "hidden vector, its FP8 scales and its top-k ids and weights (docs/memory.md)")},
  };
  return out;
}

}  // namespace fathom::models::training
