#include "models/training/rank_memory.h"

#include <algorithm>

#include "models/training/zero_costs.h"

namespace fathom::models::training {
namespace {

using schedule::PassKind;

bool is_gemm(hw::KernelFamily f) {
  return f == hw::KernelFamily::dense_gemm || f == hw::KernelFamily::grouped_gemm_contiguous ||
         f == hw::KernelFamily::grouped_gemm_masked;
}

bool is_attention(hw::KernelFamily f) {
  return f == hw::KernelFamily::attention_prefill || f == hw::KernelFamily::attention_decode ||
         f == hw::KernelFamily::mla_decode;
}

// Elementwise ops whose backward reads no forward tensor: d(a + b) = dy; RoPE's backward is the inverse
// rotation.
bool needs_no_saved_input(const Op& op) { return op.role == OpRole::residual_add || op.role == OpRole::rope; }

// The input X of a GEMM (rows x k) at its operand dtype: rows = flops / (2 k n), as backward_ops derives it.
double gemm_input_bytes(const hw::KernelWork& w) {
  if (w.k <= 0 || w.n <= 0) return 0;
  return w.flops.value() / (2.0 * double(w.n)) * hw::bytes_per_element(w.dtype);
}

}  // namespace

ActivationBytes activation_bytes(const std::vector<Op>& ops, const RecomputeSet& recompute,
                                 const ActivationRules& rules) {
  ActivationBytes out;
  double recomputed = 0;
  bool skip_next_gemm_input = false;  // the down projection after an FP8-cached SwiGLU (recomputed output)
  for (const Op& op : ops) {
    if (op.pass != Pass::forward) continue;
    const hw::KernelWork& w = op.work;
    if (recompute.covers(op)) recomputed += w.bytes_written.value();
    if (is_gemm(w.family)) {
      const double x = skip_next_gemm_input ? 0.0 : gemm_input_bytes(w);
      skip_next_gemm_input = false;
      out.stored += x;
      out.weight_inputs += x;
    } else if (is_attention(w.family)) {
      out.stored += w.bytes().value();  // Q, K, V read; O written
    } else if (w.flops.value() > 0 && !needs_no_saved_input(op)) {
      if (op.role == OpRole::moe_combine && !rules.keep_expert_outputs) continue;
      if (rules.fp8_recipe && op.role == OpRole::moe_swiglu) {
        // Read in BF16 by the op (2 B per element); cached in FP8 (1 B), T29.
        out.stored +=
            w.bytes_read.value() * hw::bytes_per_element(hw::DType::fp8) / hw::bytes_per_element(hw::DType::bf16);
        skip_next_gemm_input = true;
      } else {
        out.stored += w.bytes_read.value();
      }
    }
  }
  out.stored = std::max(0.0, out.stored - recomputed);
  out.weight_inputs = std::min(out.weight_inputs, out.stored);
  return out;
}

std::vector<ActivationBytes> stage_activation_bytes(const TrainingScenario& s, const std::vector<Stage>& stages) {
  const ModelArch& a = s.model.arch;
  CostOptions options = default_cost_options(a);
  options.weight_dtype = s.model.weights_dtype;  // as predict_training prices the blocks
  const bool fp8_recipe = options.weight_dtype == hw::DType::fp8;
  const int64_t T = s.layout.micro_batch_tokens;
  const PrefillShape shape{s.spec.micro_batch_sequences, s.spec.sequence_length, true};
  std::vector<ActivationBytes> out;
  for (const Stage& st : stages) {
    ActivationBytes sum;
    for (const BlockCost& b : st.blocks) {
      std::vector<Op> ops;
      switch (b.kind) {
        case BlockKind::embedding:
          ops = training_embedding_ops(a, T, options);
          break;
        case BlockKind::head:
          ops = training_head_ops(a, T, options);
          break;
        case BlockKind::layer:
        case BlockKind::mtp: {
          const MoeLoad load = b.moe ? ep_moe_load(a, s.layout, b.expert_imbalance) : MoeLoad{};
          ops = training_layer_ops(a, b.layer, shape, options, load);
          break;
        }
      }
      const ActivationBytes one = activation_bytes(ops, s.spec.recompute, {fp8_recipe, s.spec.keep_expert_outputs});
      sum.stored += one.stored;
      sum.weight_inputs += one.weight_inputs;
    }
    out.push_back(sum);
  }
  return out;
}

std::vector<double> peak_activation_bytes(const schedule::Schedule& schedule,
                                          const std::vector<ActivationBytes>& per_stage) {
  std::vector<double> peaks;
  for (const auto& units : schedule.per_rank) {
    double held = 0, peak = 0;
    auto apply = [&](const schedule::Pass& p) {
      const ActivationBytes& a = per_stage.at(size_t(p.stage));
      switch (p.kind) {
        case PassKind::kForward:
          held += a.stored;
          peak = std::max(peak, held);
          break;
        case PassKind::kBackwardFull:
          held -= a.stored;
          break;
        case PassKind::kBackwardInput:
          held -= a.stored - a.weight_inputs;
          break;
        case PassKind::kWeight:
          held -= a.weight_inputs;
          break;
      }
    };
    for (const auto& u : units) {
      apply(u.first);
      if (u.second) apply(*u.second);
    }
    peaks.push_back(peak);
  }
  return peaks;
}

RankStateBytes rank_state_bytes(const std::vector<Stage>& stages, const std::vector<int>& rank_stages,
                                const TrainingSpec& spec, const TrainingLayout& layout) {
  ChunkParams all;
  for (int s : rank_stages) {
    const ChunkParams p = chunk_params(stages.at(size_t(s)).blocks);
    all.dense += p.dense;
    all.expert += p.expert;
  }
  const double params = double(all.dense + all.expert);
  RankStateBytes out;
  out.parameters = params * hw::bytes_per_element(spec.parameter_gather_dtype);
  out.gradients = params * hw::bytes_per_element(spec.gradient_reduce_dtype);
  out.optimizer = zero1_shard_params(all, layout) * (hw::bytes_per_element(spec.master_weight_dtype) +
                                                     2.0 * hw::bytes_per_element(spec.optimizer_moment_dtype));
  return out;
}

TrainingMemory training_memory(const TrainingScenario& s, const TrainingPrediction& p) {
  TrainingMemory out;
  out.hbm_bytes = s.cluster.node.gpu.hbm_capacity.value();
  const std::vector<double> act = peak_activation_bytes(s.schedule, stage_activation_bytes(s, p.stages));
  const std::vector<int> count = schedule::peak_activations(s.schedule);
  for (size_t r = 0; r < p.step.ranks.size(); ++r) {
    RankMemory m;
    m.rank = int(r);
    m.stages = p.step.ranks[r].stages;
    const RankStateBytes st = rank_state_bytes(p.stages, m.stages, s.spec, s.layout);
    m.parameters_bytes = st.parameters;
    m.gradients_bytes = st.gradients;
    m.optimizer_bytes = st.optimizer;
    m.activations_bytes = act.at(r);
    m.activation_micro_batches = count.at(r);
    m.workspace_bytes = s.spec.workspace.value();
    m.total_bytes =
        m.parameters_bytes + m.gradients_bytes + m.optimizer_bytes + m.activations_bytes + m.workspace_bytes;
    if (m.total_bytes > (out.per_rank.empty() ? -1.0 : out.per_rank[size_t(out.worst_rank)].total_bytes)) {
      out.worst_rank = int(r);
    }
    out.per_rank.push_back(m);
  }
  out.headroom_bytes = out.hbm_bytes - out.per_rank.at(size_t(out.worst_rank)).total_bytes;
  out.fits = out.headroom_bytes >= 0;
  const auto assumed = [](std::string reason) { return Provenance{SourceKind::assumed, std::move(reason)}; };
  out.assumptions = {
      {"memory.activations", "estimate",
       assumed("saved forward tensors per micro-batch from the stage's forward ops (docs/training.md §5), "
               "times the schedule's live micro-batches; not measured")},
      {"memory.parameters_dtype", std::string(hw::to_string(s.spec.parameter_gather_dtype)),
       assumed("the compute copy of the weights is kept at training.parameter_gather_dtype; FP8 GEMMs quantise "
               "from it on the fly (V3TR §3.3)")},
  };
  return out;
}

}  // namespace fathom::models::training
