#include "models/unit/unit_spec.h"

#include <fmt/format.h>

#include <filesystem>

#include "models/serving/attention_imbalance.h"
#include "models/tensor_parallel.h"
#include "models/training/tp_shards.h"

namespace fathom::models::unit {
namespace {

hw::AllToAllStyle read_communication(const SpecReader& u, UnitPhase phase, serving::UnitSpec& unit) {
  const bool decode = phase == UnitPhase::decode;
  const SpecReader c = u.child("communication");
  const std::string kernels = c.choice_or(
      "kernels", {"normal", "low_latency"}, decode ? "low_latency" : "normal",
      decode ? "DeepEP low-latency kernels in decode (K23)" : "DeepEP normal kernels in prefill and training (K20)");
  const hw::AllToAllStyle style = kernels == "normal" ? hw::AllToAllStyle::normal : hw::AllToAllStyle::low_latency;
  if (style == hw::AllToAllStyle::low_latency) {
    unit.nvlink_local = c.boolean_or("nvlink_local", false, "pure-RDMA low-latency kernels (K23, K24)");
  }
  unit.communication_sms = serving::read_communication_sms(c, style);
  c.finish();
  return style;
}

// The serving engine's unit: EP = attention DP = one EP group's GPUs (the cluster holds ep_groups of them).
serving::UnitSpec read_engine(const SpecReader& u, UnitPhase phase, const ParallelismSpec& p, int64_t gpus_per_node) {
  serving::UnitSpec unit;
  unit.gpus = p.ep;
  unit.tp = p.tp;
  unit.nodes = std::max<int64_t>(1, p.ep / gpus_per_node);
  unit.redundant_experts = p.redundant_experts;
  unit.micro_batches = u.at_least("micro_batches", u.integer("micro_batches"), 1);
  unit.comm_style = read_communication(u, phase, unit);
  unit.overhead = u.quantity_or<Seconds>("overhead_per_forward", "0s", "kernels only: no per-forward overhead");
  return unit;
}

void read_prefill(const SpecReader& u, UnitScenario& s) {
  s.prefill.tokens_per_gpu = u.at_least("tokens_per_gpu", u.integer("tokens_per_gpu"), 1);
  s.prompt_tokens =
      within_context(u, "prompt_tokens", u.at_least("prompt_tokens", u.integer("prompt_tokens"), 1), s.model.arch);
  s.cached_prefix_tokens = u.at_least(
      "cached_prefix_tokens", u.integer_or("cached_prefix_tokens", 0, "no prefix-cache hits: every token computed"), 0);
  if (s.cached_prefix_tokens >= s.prompt_tokens) {
    u.fail("cached_prefix_tokens", fmt::format("{} leaves no token of the {}-token prompt to compute",
                                               s.cached_prefix_tokens, s.prompt_tokens));
  }
}

void read_decode(const SpecReader& u, UnitScenario& s) {
  s.decode.batch_per_gpu = u.at_least("batch_per_gpu", u.integer("batch_per_gpu"), 1);
  if (u.has("max_running_requests")) {
    s.decode.max_running_requests = serving::read_max_running_requests(u, s.decode.unit.gpus);
    const int64_t cap = s.decode.running_requests_batch_limit();
    if (*s.decode.batch_per_gpu > cap) {
      u.fail("batch_per_gpu",
             fmt::format("{} requests per GPU exceed the {} that max_running_requests {} over {} GPUs "
                         "allows",
                         *s.decode.batch_per_gpu, cap, *s.decode.max_running_requests, s.decode.unit.gpus));
    }
  }
  s.context_tokens =
      within_context(u, "context_tokens", u.at_least("context_tokens", u.integer("context_tokens"), 1), s.model.arch);
  s.context_sigma = u.number_or("context_sigma", 0.0, "every request at context_tokens, as a fixed-prompt benchmark");
  if (s.context_sigma < 0 || s.context_sigma > 3) u.fail("context_sigma", "must be between 0 and 3 (log-normal shape)");
  s.decode.context_cv = serving::lognormal_cv(s.context_sigma);
  s.decode.balanced_placement = serving::read_request_placement(u);
  if (u.has("mtp")) {
    const SpecReader m = u.child("mtp");
    s.mtp.draft_tokens = m.at_least("draft_tokens", m.integer("draft_tokens"), 0);
    s.mtp.acceptance = m.fraction("acceptance_rate", m.number("acceptance_rate"));
    m.finish();
    if (s.mtp.draft_tokens > 0 && !s.model.mtp) {
      m.fail("draft_tokens", fmt::format("{} draft tokens need the model's MTP module, but model.mtp is false (set "
                                         "unit.mtp.draft_tokens=0 to decode without MTP)",
                                         s.mtp.draft_tokens));
    }
  }
}

hw::DType read_dtype(const SpecReader& r, std::string_view key, const char* fallback, std::string_view why) {
  return hw::parse_dtype(r.choice_or(key, {"fp8", "bf16", "fp16", "fp32"}, fallback, why));
}

void read_training(const SpecReader& u, UnitScenario& s) {
  TrainingChunkSpec& t = s.training;
  t.layers = u.at_least("layers", u.integer("layers"), 1);
  if (t.layers > s.model.arch.moe_layer_count()) {
    u.fail("layers",
           fmt::format("{} MoE layers in a chunk, but the model has {}", t.layers, s.model.arch.moe_layer_count()));
  }
  t.overlapped = u.choice("overlap", {"dualpipe", "none"}) == "dualpipe";
  t.spec.sequence_length = within_context(u, "sequence_length",
                                          u.at_least("sequence_length", u.integer("sequence_length"), 1), s.model.arch);
  t.spec.micro_batch_sequences =
      u.at_least("micro_batch_sequences", u.integer_or("micro_batch_sequences", 1, "one sequence per micro-batch"), 1);
  // Written: a token reaches at least one node; absent: the model's group limit (0 = none).
  t.spec.max_nodes_per_token =
      u.has("max_nodes_per_token")
          ? u.at_least("max_nodes_per_token", u.integer("max_nodes_per_token"), 1)
          : u.integer_or("max_nodes_per_token", s.model.arch.topk_group, "the model's group-limited routing (T05)");
  t.spec.dispatch_dtype = read_dtype(u, "dispatch_dtype", "fp8", "FP8 dispatch (T29)");
  t.spec.combine_dtype = read_dtype(u, "combine_dtype", "bf16", "BF16 combine (T29)");
  t.spec.backward_dispatch_dtype = read_dtype(u, "backward_dispatch_dtype", "fp8", "FP8 gradient dispatch (T29)");
  if (u.has("recompute")) {
    const SpecReader rc = u.child("recompute");
    t.spec.recompute.rms_norm = rc.boolean_or("rms_norm", false, "RMSNorm outputs kept for the backward pass");
    t.spec.recompute.mla_up_projection =
        rc.boolean_or("mla_up_projection", false, "MLA up-projection outputs kept for the backward pass");
    rc.finish();
  }
  const SpecReader c = u.child("communication");
  const std::string kernels = c.choice_or("kernels", {"normal"}, "normal", "DeepEP normal kernels in training (K20)");
  (void)kernels;
  t.spec.communication_sms = serving::read_communication_sms(c, hw::AllToAllStyle::normal);
  c.finish();
}

void check_layout(const SpecReader& top, const SpecReader& par, const UnitScenario& s) {
  const ParallelismSpec& p = s.parallelism;
  validate_parallelism(par, p, s.model.arch.routed_experts, s.model.arch.heads, s.model.arch.layers,
                       s.cluster.total_gpus());
  // TP groups (tensor_parallel.h) stay inside an NVLink domain (a node, or an NVL72 rack of 18 trays).
  if (const std::string misfit = tp_group_misfit(p.tp, s.cluster.node); !misfit.empty()) par.fail("tp", misfit);
  if (p.pp != 1) par.fail("pp", "the unit kind prices one stage; give a training chunk's layers as unit.layers");
  if (par.has("dp") && p.dp * p.tp != p.ep) {
    par.fail("dp", fmt::format("{} must equal ep / tp ({} / {}): attention DP x TP and expert EP span the same GPUs",
                               p.dp, p.ep, p.tp));
  }
  // The cluster is k whole EP groups (independent replicas); a group is whole nodes, or part of one node.
  const int64_t gpn = s.cluster.node.gpus_per_node;
  if (p.ep % gpn != 0 && gpn % p.ep != 0) {
    par.fail("ep",
             fmt::format("{} GPUs are neither whole {}-GPU nodes nor a part of one: an EP group must be one or the "
                         "other",
                         p.ep, gpn));
  }
  if (s.cluster.total_gpus() % p.ep != 0) {
    top.child("cluster").fail("nodes", fmt::format("{} GPUs are not a whole number of EP groups of parallelism.ep = {} "
                                                   "GPUs; the cluster holds k x {} GPUs",
                                                   s.cluster.total_gpus(), p.ep, p.ep));
  }
  if (s.phase == UnitPhase::training && p.redundant_experts != 0) {
    par.fail("redundant_experts", "training places no redundant experts (T06)");
  }
}

}  // namespace

std::string_view to_string(UnitPhase p) {
  switch (p) {
    case UnitPhase::prefill:
      return "prefill";
    case UnitPhase::decode:
      return "decode";
    case UnitPhase::training:
      return "training";
  }
  return "?";
}

UnitScenario read_unit_scenario(const ScenarioDocument& doc, ProvenanceLog& log) {
  UnitScenario s;
  const SpecReader top(doc.root, doc.label, "", &log);
  s.name = top.has("name") ? top.text("name") : doc.label;
  if (top.has("description")) top.text("description");
  top.choice("kind", {"unit"});
  s.cluster = hw::read_cluster_spec(top.child("cluster"));
  s.model = read_model_choice(top.child("model"), doc);
  check_dtypes_on_gpu(top.child("model"), s.model, s.cluster.node.gpu);
  s.calibration_file = top.text("calibration");
  const std::filesystem::path calibration = doc.resolve_path(s.calibration_file);
  std::error_code missing;  // the non-throwing overload: a name too long for the OS is "not found"
  if (!std::filesystem::is_regular_file(calibration, missing))
    top.fail("calibration", doc.not_found(s.calibration_file));
  const SpecReader u = top.child("unit");
  const std::string phase = u.choice("phase", {"prefill", "decode", "training"});
  s.phase = phase == "prefill" ? UnitPhase::prefill : phase == "decode" ? UnitPhase::decode : UnitPhase::training;
  const SpecReader par = top.child("parallelism");
  s.parallelism = read_parallelism(par);
  check_layout(top, par, s);
  s.ep_groups = s.cluster.total_gpus() / s.parallelism.ep;
  const int64_t gpn = s.cluster.node.gpus_per_node;
  if (s.phase == UnitPhase::prefill) {
    s.prefill.unit = read_engine(u, s.phase, s.parallelism, gpn);
    read_prefill(u, s);
  } else if (s.phase == UnitPhase::decode) {
    s.decode.unit = read_engine(u, s.phase, s.parallelism, gpn);
    read_decode(u, s);
  } else {
    refuse_inference_only_dtypes(top.child("model"), s.model);
    read_training(u, s);
    // The training chunk under TP (the training step's rules, models/training/tp_shards.h).
    const int64_t tokens = s.training.spec.micro_batch_sequences * s.training.spec.sequence_length;
    if (const std::string misfit = training::training_tp_misfit(s.model.arch, s.parallelism.tp, tokens);
        !misfit.empty()) {
      par.fail("tp", misfit);
    }
  }
  if (s.phase != UnitPhase::training) {
    s.decode.workspace =
        u.quantity_or<Bytes>("workspace", "2GiB", "CUDA context, library and communication buffers (memory check)");
  }
  u.finish();
  const int64_t sms = s.phase == UnitPhase::prefill  ? s.prefill.unit.communication_sms
                      : s.phase == UnitPhase::decode ? s.decode.unit.communication_sms
                                                     : s.training.spec.communication_sms;
  if (sms >= s.cluster.node.gpu.sm_count) {
    u.child("communication")
        .fail("communication_sms",
              fmt::format("{} leaves none of the GPU's {} SMs for compute", sms, s.cluster.node.gpu.sm_count));
  }
  const SpecReader load = top.child("expert_load");
  if (load.has("imbalance")) {
    s.expert_imbalance = load.number("imbalance");
    if (s.expert_imbalance < 1) load.fail("imbalance", "must be >= 1 (busiest GPU's routed tokens over the mean)");
    load.finish();
  } else {
    s.zipf = serving::read_expert_load(load);
  }
  if (top.has("kernel_time_factors"))
    s.kernel_time_factors = hw::read_kernel_time_factors(top.child("kernel_time_factors"));
  top.finish();
  try {
    s.calibration = hw::load_calibration(calibration);
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}: calibration: {}", doc.label, e.what()));
  }
  return s;
}

}  // namespace fathom::models::unit
