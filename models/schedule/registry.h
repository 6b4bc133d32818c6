#pragma once
// The schedule registry: `1f1b`, `zb1p`, `dualpipe`, `dualpipev`, `interleaved_1f1b` -> generator and traits
// (listed by `fathom list`). Code outside the generators asks a schedule's traits what it takes and how its
// stages lie, never compares its name (docs/schedules.md §1).

#include <string>
#include <string_view>

#include "models/schedule/schedule.h"
#include "sim/registry.h"

namespace fathom::models::schedule {

// Which of bubble.h's closed forms a schedule's bubble takes.
enum class BubbleForm {
  kOneFOneB,    // (P-1)(F+B), F and B per chunk
  kZeroBubble,  // (P-1) max(F, B-W, F+B-2W)
  kDualPipe,    // DualPipe's form with k = P/2-1
  kDualPipeV,   // DualPipe's form with k = P-1
};

// What a schedule takes and how it lays its stages, for the callers that read or search configurations.
struct ScheduleTraits {
  // Takes v model chunks per rank (ScheduleParams::virtual_stages), stage s on rank s mod P (Megatron-LM's
  // placement): P·v stages. The others ignore v (they hold 1 or 2 chunks by design).
  bool virtual_stages = false;
  bool v_shape = false;                          // 2P stages in a V: rank r holds stages r and 2P-1-r (DualPipeV)
  bool even_ranks = false;                       // P even, >= 2 (DualPipe's two directions)
  int min_micro_batches_per_rank = 0;            // C >= this x P
  bool even_micro_batches = false;               // C even
  bool micro_batches_multiple_of_ranks = false;  // C a multiple of P (Megatron-LM's interleaved order)
  BubbleForm bubble = BubbleForm::kOneFOneB;

  // The stages along a micro-batch's path at P ranks and v chunks per rank (Schedule::stages).
  int stages(int ranks, int v) const { return virtual_stages ? ranks * v : v_shape ? 2 * ranks : ranks; }
  // The step between micro-batch counts with the same steady state (program_timing.h's fold, schedule_digest.h's
  // families): P for a schedule that takes multiples of P, else 2 (the same parity).
  int fold_step(int ranks) const { return micro_batches_multiple_of_ranks ? ranks : 2; }
};

// A registry entry's implementation: its generator and its traits. Called like the generator.
struct ScheduleFactory {
  Schedule (*generate)(const ScheduleParams&);
  ScheduleTraits traits;
  Schedule operator()(const ScheduleParams& params) const { return generate(params); }
};

const Registry<ScheduleFactory>& schedule_registry();

// The traits of schedule `name`; InputError "<where>: unknown schedule ..." for a name not in the registry.
const ScheduleTraits& schedule_traits(std::string_view name, std::string_view where = "training.schedule");

// The registry's names with virtual stages, joined ", " in quotes (for messages): "\"interleaved_1f1b\"".
std::string virtual_stage_schedules();

}  // namespace fathom::models::schedule
