#include "models/training/training_layout.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "models/schedule/registry.h"
#include "models/tensor_parallel.h"
#include "models/training/tp_shards.h"

namespace fathom::models::training {

ParallelismSpec read_training_parallelism(const SpecReader& r) {
  ParallelismSpec p;
  p.tp = r.at_least("tp", r.integer_or("tp", 1, "no tensor parallelism"), 1);
  p.pp = r.at_least("pp", r.integer("pp"), 1);
  p.ep = r.at_least("ep", r.integer("ep"), 1);
  if (r.has("dp")) p.dp = r.at_least("dp", r.integer("dp"), 1);
  p.tp_comm_overlap = r.boolean_or("tp_comm_overlap", false,
                                   "TP collectives on the critical path (Megatron-LM's --tp-comm-overlap is off by "
                                   "default)");
  if (r.has("redundant_experts"))
    p.redundant_experts = r.at_least("redundant_experts", r.integer("redundant_experts"), 0);
  r.finish();
  return p;
}

TrainingLayout derive_layout(const SpecReader& par, const ParallelismSpec& p, bool dp_given, const SpecReader& tr,
                             const TrainingSpec& spec, const ModelArch& arch, const hw::ClusterSpec& cluster) {
  TrainingLayout l;
  l.gpus = cluster.total_gpus();
  validate_parallelism(par, p, arch.routed_experts, arch.heads, arch.layers, l.gpus);
  // A TP group stays inside one NVLink domain (it may span the trays of an NVL72 rack): models/tensor_parallel.h.
  if (const std::string misfit = tp_group_misfit(p.tp, cluster.node); !misfit.empty()) par.fail("tp", misfit);
  if (const std::string misfit = training_tp_misfit(arch, p.tp, spec.micro_batch_sequences * spec.sequence_length);
      !misfit.empty()) {
    par.fail("tp", misfit);
  }
  if (p.redundant_experts != 0) par.fail("redundant_experts", "training keeps no redundant experts (T06)");
  l.pp = p.pp;
  l.tp = p.tp;
  l.tp_comm_overlap = p.tp_comm_overlap;
  l.dp = l.gpus / (p.pp * p.tp);
  if (dp_given && p.dp != l.dp) {
    par.fail("dp", fmt::format("{} disagrees with the layout: {} GPUs / (pp {} x tp {}) = {}", p.dp, l.gpus, p.pp, p.tp,
                               l.dp));
  }
  l.ep = p.ep;
  // Megatron-Core's MoE parallel folding: the EP groups are drawn from all dp x tp GPUs of a stage
  // (expert tensor parallelism 1).
  const int64_t stage_gpus = l.dp * l.tp;
  if (stage_gpus % l.ep != 0) {
    par.fail("ep", fmt::format("{} does not divide the {} GPUs of a pipeline stage", l.ep, stage_gpus));
  }
  l.ep_groups_per_stage = stage_gpus / l.ep;
  l.expert_dp = l.ep_groups_per_stage;
  l.experts_per_gpu = arch.routed_experts > 0 ? arch.routed_experts / l.ep : 0;
  const int64_t per_node = cluster.node.gpus_per_node;
  l.ep_nodes = (l.ep + per_node - 1) / per_node;
  // A stage's GPUs are consecutive (pipeline rank outermost, as Megatron-LM orders ranks) and so are an EP group's:
  // a group either fits in one NVLink domain or covers whole domains, so its all-to-all splits into NVLink and
  // NIC bytes as hw::ep_alltoall_traffic assumes; a group straddling a domain boundary is refused.
  const int64_t per_domain = hw::scaleup_domain_gpus(cluster.node);
  if (per_domain % l.ep != 0 && l.ep % per_domain != 0) {
    par.fail("ep", fmt::format("{} GPUs neither divide nor are a multiple of the {} GPUs of an NVLink domain: EP "
                               "groups would straddle two domains",
                               l.ep, per_domain));
  }
  l.ep_domains = (l.ep + per_domain - 1) / per_domain;
  l.dp_in_one_domain = per_domain % stage_gpus == 0;
  l.micro_batch_tokens = spec.micro_batch_sequences * spec.sequence_length;
  l.tokens_per_step = l.dp * spec.micro_batches * l.micro_batch_tokens;
  if (spec.global_batch_sequences > 0 &&
      spec.global_batch_sequences != l.dp * spec.micro_batches * spec.micro_batch_sequences) {
    tr.fail("micro_batches",
            fmt::format("dp {} x micro_batches {} x micro_batch_sequences {} = {} sequences, but "
                        "global_batch_sequences is {}",
                        l.dp, spec.micro_batches, spec.micro_batch_sequences,
                        l.dp * spec.micro_batches * spec.micro_batch_sequences, spec.global_batch_sequences));
  }
  const int64_t final_batch = l.dp * spec.micro_batches * spec.micro_batch_sequences;
  if (spec.batch_ramp && spec.batch_ramp->start_global_batch_sequences > final_batch) {
    tr.child("batch_ramp")
        .fail("start_global_batch_sequences",
              fmt::format(
                  "{} sequences exceed the final batch (dp {} x micro_batches {} x micro_batch_sequences {} = {})",
                  spec.batch_ramp->start_global_batch_sequences, l.dp, spec.micro_batches, spec.micro_batch_sequences,
                  final_batch));
  }
  return l;
}

int64_t accepted_micro_batches(std::string_view schedule, int64_t pp, int64_t at_least) {
  const schedule::ScheduleTraits& t = schedule::schedule_traits(schedule);
  int64_t c = std::max<int64_t>({at_least, 1, t.min_micro_batches_per_rank * pp});
  if (t.even_micro_batches && c % 2 != 0) ++c;
  if (t.micro_batches_multiple_of_ranks && c % pp != 0) c += pp - c % pp;  // Megatron: a multiple of pp
  return c;
}

schedule::Schedule build_schedule(const SpecReader& par, const SpecReader& tr, const TrainingSpec& spec, int64_t pp) {
  const auto& entry = schedule::schedule_registry().get(spec.schedule, tr.label() + ": " + tr.path_of("schedule"));
  const int P = static_cast<int>(pp);
  const int C = static_cast<int>(spec.micro_batches);
  // The generators' own rules (docs/schedules.md §1, the registry's traits), reported at the key the user can
  // change.
  const schedule::ScheduleTraits& t = entry.make.traits;
  if (t.even_ranks && (P < 2 || P % 2 != 0)) {
    par.fail("pp", fmt::format("{} needs an even pp >= 2, got {}", spec.schedule, P));
  }
  if (t.micro_batches_multiple_of_ranks && C % P != 0) {
    tr.fail("micro_batches", fmt::format("{} needs micro_batches a multiple of pp = {} (Megatron-LM's "
                                         "interleaved schedule), got {}",
                                         spec.schedule, P, C));
  }
  if (accepted_micro_batches(spec.schedule, pp, C) != C) {
    tr.fail("micro_batches", fmt::format("{} needs {}micro_batches >= {} x pp = {}, got {}", spec.schedule,
                                         t.even_micro_batches ? "an even " : "", t.min_micro_batches_per_rank,
                                         t.min_micro_batches_per_rank * P, C));
  }
  try {
    return entry.make(schedule::ScheduleParams{P, C, int(spec.virtual_stages)});
  } catch (const InputError& e) {
    tr.fail("schedule", e.what());
  }
}

}  // namespace fathom::models::training
