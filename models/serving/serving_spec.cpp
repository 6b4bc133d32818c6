#include "models/serving/serving_spec.h"

#include <fmt/format.h>

#include <string>

#include "models/tensor_parallel.h"

namespace fathom::models::serving {
int64_t read_communication_sms(const SpecReader& r, hw::AllToAllStyle style) {
  const bool normal = style == hw::AllToAllStyle::normal;
  return r.at_least("communication_sms",
                    r.integer_or("communication_sms", normal ? 20 : 0,
                                 normal ? "DeepEP normal kernels hold 20 of 132 SMs in DeepSeek-V3 training (T08)"
                                        : "DeepEP low-latency kernels use RDMA and occupy no SMs (S41)"),
                    0);
}

ExpertLoadSpec read_expert_load(const SpecReader& r) {
  ExpertLoadSpec e;
  e.zipf_exponent = r.number("zipf_exponent");
  if (e.zipf_exponent < 0) r.fail("zipf_exponent", "cannot be negative");
  e.seed = static_cast<uint64_t>(r.at_least("seed", r.integer_or("seed", 1, "fixed seed"), 0));
  r.finish();
  return e;
}

namespace {

UnitSpec read_unit(const SpecReader& r, const hw::NodeSpec& node, hw::AllToAllStyle style) {
  const int64_t gpus_per_node = node.gpus_per_node;
  UnitSpec u;
  u.nodes = r.at_least("nodes_per_unit", r.integer("nodes_per_unit"), 1);
  u.gpus = u.nodes * gpus_per_node;
  const int64_t ep = r.at_least("ep", r.integer("ep"), 1);
  if (ep != u.gpus) {
    r.fail("ep", fmt::format("{} must equal the unit's GPUs ({} nodes x {} GPUs): attention DP and expert EP span "
                             "the same GPUs",
                             ep, u.nodes, gpus_per_node));
  }
  u.tp = r.at_least("tp", r.integer_or("tp", 1, "data-parallel attention (S10, S11)"), 1);
  if (const std::string misfit = tp_group_misfit(u.tp, node); !misfit.empty()) r.fail("tp", misfit);
  if (u.gpus % u.tp != 0) r.fail("tp", fmt::format("{} does not divide the unit's {} GPUs", u.tp, u.gpus));
  u.redundant_experts = r.at_least("redundant_experts", r.integer_or("redundant_experts", 0, "no replicas"), 0);
  u.micro_batches = r.at_least("micro_batches", r.integer_or("micro_batches", 2, "dual micro-batch overlap"), 1);
  u.comm_style = style;
  u.overhead = r.quantity_or<Seconds>("overhead_per_forward", "0s", "no per-forward overhead beyond the kernels");
  u.communication_sms = read_communication_sms(r, style);
  return u;
}

}  // namespace

int64_t read_max_running_requests(const SpecReader& r, int64_t unit_gpus) {
  const int64_t cap = r.at_least("max_running_requests", r.integer("max_running_requests"), 1);
  if (cap < unit_gpus) {
    r.fail("max_running_requests",
           fmt::format("{} requests is less than one per GPU of the {}-GPU unit", cap, unit_gpus));
  }
  return cap;
}

bool read_request_placement(const SpecReader& r) {
  return r.choice_or("request_placement", {"random", "balanced"}, "random",
                     "requests land on the DP attention ranks at random: the busiest rank's context sum sets the "
                     "step (docs/serving.md, attention imbalance); \"balanced\" equalises the sums") == "balanced";
}

ServingSpec read_serving_spec(const SpecReader& top, const hw::NodeSpec& node) {
  ServingSpec s;
  {
    const SpecReader r = top.child("prefill");
    s.prefill.unit = read_unit(r, node, hw::AllToAllStyle::normal);
    s.prefill.tokens_per_gpu = r.at_least("tokens_per_gpu", r.integer("tokens_per_gpu"), 1);
    r.finish();
  }
  {
    const SpecReader r = top.child("decode");
    s.decode.unit = read_unit(r, node, hw::AllToAllStyle::low_latency);
    s.decode.unit.nvlink_local = r.boolean_or("nvlink_local_dispatch", false, "pure-RDMA low-latency kernels (K23)");
    s.decode.workspace = r.quantity_or<Bytes>("workspace", "2GiB", "CUDA context, library and communication buffers");
    s.decode.balanced_placement = read_request_placement(r);
    if (r.has("batch_per_gpu")) s.decode.batch_per_gpu = r.at_least("batch_per_gpu", r.integer("batch_per_gpu"), 1);
    if (r.has("max_tokens_per_expert")) {
      s.decode.max_tokens_per_expert = r.at_least("max_tokens_per_expert", r.integer("max_tokens_per_expert"), 1);
    }
    if (r.has("max_running_requests")) {
      s.decode.max_running_requests = read_max_running_requests(r, s.decode.unit.gpus);
    }
    r.finish();
  }
  if (top.has("mtp")) {
    const SpecReader r = top.child("mtp");
    s.mtp.draft_tokens = r.at_least("draft_tokens", r.integer("draft_tokens"), 0);
    s.mtp.acceptance = r.fraction("acceptance_rate", r.number("acceptance_rate"));
    r.finish();
  }
  {
    const SpecReader r = top.child("slo");
    s.slo.tokens_per_s_per_request =
        r.positive("tokens_per_s_per_request", r.number_or("tokens_per_s_per_request", 20, "the S20 output speed"));
    s.slo.ttft_p99 = r.quantity<Seconds>("ttft_p99");
    if (s.slo.ttft_p99.value() <= 0) r.fail("ttft_p99", "must be positive");
    r.finish();
  }
  {
    const SpecReader r = top.child("autoscaling");
    s.autoscaling.window = r.quantity_or<Seconds>("window", "30min", "30-minute planning windows");
    const double window_h = s.autoscaling.window.value() / 3600.0;
    if (!(window_h > 0) || 24.0 / window_h != static_cast<double>(static_cast<int64_t>(24.0 / window_h))) {
      r.fail("window", "must divide the 24-hour day into whole windows");
    }
    s.autoscaling.headroom = r.number("headroom");
    if (s.autoscaling.headroom < 1.0) r.fail("headroom", "must be at least 1 (capacity / mean load)");
    r.finish();
  }
  {
    const SpecReader r = top.child("lengths");
    auto sigma = [&](const char* key) {
      const double v = r.number(key);
      if (v < 0 || v > 3) r.fail(key, "must be between 0 and 3 (log-normal shape)");
      return v;
    };
    s.lengths.input_sigma = sigma("input_sigma");
    s.lengths.output_sigma = sigma("output_sigma");
    r.finish();
  }
  s.expert_load = read_expert_load(top.child("expert_load"));
  {
    const SpecReader r = top.child("simulation");
    s.simulated_seconds_per_window =
        r.quantity_or<Seconds>("seconds_per_window", "600s", "ten simulated minutes per window after warm-up");
    if (s.simulated_seconds_per_window.value() <= 0) r.fail("seconds_per_window", "must be positive");
    r.finish();
  }
  return s;
}

}  // namespace fathom::models::serving
