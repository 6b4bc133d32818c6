#include "models/training/training_spec.h"

#include <fmt/format.h>

#include <stdexcept>

#include "models/schedule/registry.h"

namespace fathom::models::training {
namespace {

hw::DType read_dtype(const SpecReader& r, std::string_view key, const char* fallback, std::string_view why) {
  return hw::parse_dtype(r.choice_or(key, {"fp8", "bf16", "fp16", "fp32"}, fallback, why));
}

// "batch_ramp": {start_global_batch_sequences, ramp_tokens, segments}; ramp_tokens <= the token budget.
BatchRampSpec read_batch_ramp(const SpecReader& r, double token_budget) {
  BatchRampSpec b;
  b.start_global_batch_sequences =
      r.at_least("start_global_batch_sequences", r.integer("start_global_batch_sequences"), 1);
  b.ramp_tokens = r.number("ramp_tokens");
  if (b.ramp_tokens < 0) r.fail("ramp_tokens", "must be >= 0 (tokens)");
  if (b.ramp_tokens > token_budget) {
    r.fail("ramp_tokens",
           fmt::format("{:.4g} tokens exceed training.token_budget ({:.4g})", b.ramp_tokens, token_budget));
  }
  b.segments = r.at_least(
      "segments", r.integer_or("segments", 8, "the linear ramp evaluated in 8 equal token slices at their midpoints"),
      1);
  r.finish();
  return b;
}

}  // namespace

TrainingSpec read_training_spec(const SpecReader& r) {
  TrainingSpec s;
  s.schedule = r.text_or("schedule", "dualpipe", "DualPipe, the DeepSeek-V3 schedule (T03)");
  schedule::schedule_registry().get(s.schedule, r.label() + ": " + r.path_of("schedule"));
  s.sequence_length = r.at_least("sequence_length", r.integer("sequence_length"), 1);
  s.micro_batch_sequences = r.at_least("micro_batch_sequences", r.integer("micro_batch_sequences"), 1);
  s.micro_batches = r.at_least("micro_batches", r.integer("micro_batches"), 1);
  // Virtual pipeline stages (Megatron-LM's interleaved schedule, Narayanan et al. 2021 §2.2.2): only the
  // interleaved schedule cuts a rank's layers into chunks; written for another schedule it would be ignored.
  if (r.has("virtual_stages")) {
    s.virtual_stages = r.at_least("virtual_stages", r.integer("virtual_stages"), 1);
    if (!schedule::schedule_traits(s.schedule).virtual_stages && s.virtual_stages != 1) {
      r.fail("virtual_stages", fmt::format("{} chunks per rank need schedule {} (schedule is \"{}\")", s.virtual_stages,
                                           schedule::virtual_stage_schedules(), s.schedule));
    }
  }
  if (r.has("global_batch_sequences")) {
    s.global_batch_sequences = r.at_least("global_batch_sequences", r.integer("global_batch_sequences"), 1);
  }
  s.token_budget = r.positive("token_budget", r.number("token_budget"));
  s.communication_sms = r.at_least("communication_sms", r.integer("communication_sms"), 0);
  // Absent: no node-limited routing (0 inside). Written: a token reaches at least one node.
  s.max_nodes_per_token = r.has("max_nodes_per_token")
                              ? r.at_least("max_nodes_per_token", r.integer("max_nodes_per_token"), 1)
                              : r.integer_or("max_nodes_per_token", 0, "no node-limited routing");
  s.expert_imbalance_given = r.has("expert_imbalance");
  s.expert_imbalance = r.number_or("expert_imbalance", 1.0, "perfectly balanced routed experts");
  if (s.expert_imbalance < 1.0) r.fail("expert_imbalance", "must be >= 1 (max / mean tokens per GPU)");
  s.dispatch_dtype = read_dtype(r, "dispatch_dtype", "bf16", "BF16 dispatch");
  s.combine_dtype = read_dtype(r, "combine_dtype", "bf16", "BF16 combine");
  s.backward_dispatch_dtype = read_dtype(r, "backward_dispatch_dtype", "bf16", "BF16 gradient dispatch");
  s.pp_activation_dtype = read_dtype(r, "pp_activation_dtype", "bf16", "BF16 activations between stages");
  s.gradient_reduce_dtype = read_dtype(r, "gradient_reduce_dtype", "fp32", "FP32 gradients");
  s.parameter_gather_dtype = read_dtype(r, "parameter_gather_dtype", "bf16", "BF16 parameters");
  s.master_weight_dtype = read_dtype(r, "master_weight_dtype", "fp32", "FP32 master weights");
  s.optimizer_moment_dtype = read_dtype(r, "optimizer_moment_dtype", "fp32", "FP32 AdamW moments");
  s.workspace = r.quantity_or<Bytes>("workspace", "2GiB",
                                     "CUDA context, library workspaces (cuBLAS, DeepGEMM) and NCCL buffers per GPU, "
                                     "not measured (as fathom memory's default); DeepEP's buffers are counted apart");
  s.keep_expert_outputs = r.boolean_or(
      "keep_expert_outputs", false,
      "T29's list of what DeepSeek-V3 caches for the MoE backward is the FP8 SwiGLU inputs (outputs recomputed); "
      "the gate-weight gradient <dy, e_i> is then <W_down^T dy, h_i> from the recomputed SwiGLU output h_i, so "
      "the expert outputs are not kept");
  s.fp8_weight_copies = r.integer_or(
      "fp8_weight_copies", 2,
      "with FP8 GEMMs the weights are quantised once per step and kept for the micro-batches in two copies, W for "
      "the forward and W^T for the input-gradient GEMM (DeepGEMM takes K-major operands; 128x128 blocks quantise "
      "the same either way, T26); not published");
  if (s.fp8_weight_copies < 0 || s.fp8_weight_copies > 2) {
    r.fail("fp8_weight_copies", fmt::format("must be 0, 1 or 2, got {}", s.fp8_weight_copies));
  }
  s.deepep_nvl_buffer_tokens = r.at_least(
      "deepep_nvl_buffer_tokens",
      r.integer_or("deepep_nvl_buffer_tokens", 288,
                   "DeepEP's default normal-kernel configuration for 64 ranks: 288 NVLink receive slots per channel "
                   "and peer (deep_ep Buffer.get_dispatch_config, as recalled; not a row of published-figures.md)"),
      0);
  s.deepep_rdma_buffer_tokens = r.at_least(
      "deepep_rdma_buffer_tokens",
      r.integer_or("deepep_rdma_buffer_tokens", 128,
                   "DeepEP's default normal-kernel configuration: 128 RDMA receive slots per channel and remote "
                   "node (deep_ep Buffer.get_dispatch_config, as recalled; not a row of published-figures.md)"),
      0);
  if (r.has("recompute")) {
    const SpecReader rc = r.child("recompute");
    s.recompute.rms_norm = rc.boolean_or("rms_norm", false, "RMSNorm outputs kept for the backward pass");
    s.recompute.mla_up_projection =
        rc.boolean_or("mla_up_projection", false, "MLA up-projection outputs kept for the backward pass");
    rc.finish();
  }
  if (r.has("pipeline_layout")) {
    const std::string text = r.text("pipeline_layout");
    try {
      s.pipeline_layout = parse_pipeline_layout(text);
    } catch (const std::invalid_argument& e) {
      r.fail("pipeline_layout", fmt::format("\"{}\": {}", text, e.what()));
    }
  }
  if (r.has("batch_ramp")) s.batch_ramp = read_batch_ramp(r.child("batch_ramp"), s.token_budget);
  r.finish();
  return s;
}

UsdPerHour read_gpu_hour_price(const SpecReader& r) {
  const UsdPerHour price = r.quantity<UsdPerHour>("gpu_hour_price");
  r.finish();
  return price;
}

}  // namespace fathom::models::training
