#include "models/schedule/registry.h"

namespace fathom::models::schedule {

const Registry<ScheduleFactory>& schedule_registry() {
  static const Registry<ScheduleFactory> registry(
      "schedule",
      {
          {"1f1b",
           "1F1B: warm-up forwards, one forward + one full backward, cool-down (bubble (P-1)(F+B))",
           {&make_1f1b, {}}},
          {"zb1p",
           "ZB1P/ZB-H1 (Qi et al. 2023): 1F1B with backward split into B and deferred W (bubble (P-1)(F+B-2W))",
           {&make_zb1p, {.bubble = BubbleForm::kZeroBubble}}},
          {"dualpipe",
           "DualPipe (DeepSeek-V3 §3.2.1): bidirectional, two chunks per rank, overlapped F&B (bubble "
           "(P/2-1)(F&B+B-3W))",
           {&make_dualpipe,
            {.even_ranks = true,
             .min_micro_batches_per_rank = 2,
             .even_micro_batches = true,
             .bubble = BubbleForm::kDualPipe}}},
          {"dualpipev",
           "DualPipeV (cut-in-half DualPipe): 2P stages in a V over P ranks (bubble (P-1)(F&B+B-3W))",
           {&make_dualpipev, {.v_shape = true, .min_micro_batches_per_rank = 2, .bubble = BubbleForm::kDualPipeV}}},
          {"interleaved_1f1b",
           "Interleaved 1F1B (Megatron-LM, Narayanan et al. 2021 §2.2.2): v chunks per rank, micro_batches a multiple "
           "of P (bubble (P-1)(F+B) per chunk = 1F1B's / v)",
           {&make_interleaved_1f1b, {.virtual_stages = true, .micro_batches_multiple_of_ranks = true}}},
      });
  return registry;
}

const ScheduleTraits& schedule_traits(std::string_view name, std::string_view where) {
  return schedule_registry().get(name, where).make.traits;
}

std::string virtual_stage_schedules() {
  std::string names;
  for (const auto& e : schedule_registry().entries()) {
    if (e.make.traits.virtual_stages) names += (names.empty() ? "\"" : ", \"") + e.name + "\"";
  }
  return names;
}

}  // namespace fathom::models::schedule
