#pragma once
// The batch-size ramp of a pre-training run (docs/training.md §1 "Batch ramp"; T11: DeepSeek-V3 grows
// the batch from 3072 to 15360 sequences over the first 469B tokens, V3TR §4.2). Pure: the step time
// of a micro-batch count is a function passed in, so the piecewise evaluation is testable without the
// event engine.
//
// Assumptions (the functional form is not published):
//  - the batch grows linearly in tokens consumed, from `start_global_batch_sequences` to the final batch
//    over `ramp_tokens`;
//  - the ramp is evaluated in `segments` equal token slices; slice i (0-based) runs at the batch of its
//    midpoint, start + (final - start) * (i + 0.5) / segments sequences;
//  - that batch becomes micro-batches per pipeline: ceil(batch / (dp * micro_batch_sequences)), then
//    rounded up to the smallest count the pipeline schedule accepts (DualPipe: even and >= 2·PP); the
//    slice's actual batch (and tokens per step) follows the rounded count.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace fathom::models::training {

// The scenario's `training.batch_ramp` object.
struct BatchRampSpec {
  int64_t start_global_batch_sequences = 0;  // sequences per step at token 0 (>= 1, <= the final batch)
  double ramp_tokens = 0;                    // tokens over which the batch grows (0 <= ramp_tokens <= budget)
  int64_t segments = 8;                      // equal token slices of the piecewise evaluation (>= 1)
};

// The step shape the ramp needs: the final (steady) batch is dp * final_micro_batches * micro_batch_sequences.
struct RampShape {
  int64_t dp = 1;                     // pipelines
  int64_t micro_batch_sequences = 1;  // sequences per micro-batch per pipeline
  int64_t sequence_length = 0;        // tokens per sequence
  int64_t final_micro_batches = 0;    // micro-batches per pipeline of the steady part
  int64_t gpus = 0;                   // GPUs charged per step (for GPU-hours)
};

// One slice of the ramp.
struct RampSegment {
  double target_global_batch_sequences = 0;  // the linear ramp at the slice's midpoint
  int64_t micro_batches = 0;                 // per pipeline, after rounding up
  int64_t global_batch_sequences = 0;        // dp * micro_batches * micro_batch_sequences (what runs)
  double step_s = 0;                         // the step at that micro-batch count (step_seconds)
  double tokens = 0;                         // ramp_tokens / segments
  double steps = 0;                          // tokens / tokens per step (fractional, as steps_for_budget)
};

struct BatchRampResult {
  std::vector<RampSegment> segments;
  double ramp_tokens = 0;               // spec.ramp_tokens (segments x slice tokens)
  double ramp_steps = 0;                // sum of the slices' steps
  double ramp_gpu_hours = 0;            // gpus * sum(steps * (step_s + extra_per_step_s)) / 3600
  int distinct_micro_batch_counts = 0;  // step simulations needed
};

// `accepted_micro_batches(c)`: the smallest micro-batch count >= c the schedule takes.
// `step_seconds(c)`: the step time at c micro-batches per pipeline; called once per distinct count.
// `extra_per_step_s`: time charged on top of every step (the amortised blocking checkpoint).
BatchRampResult evaluate_batch_ramp(const BatchRampSpec& spec, const RampShape& shape,
                                    const std::function<int64_t(int64_t)>& accepted_micro_batches,
                                    const std::function<double(int64_t)>& step_seconds, double extra_per_step_s = 0);

}  // namespace fathom::models::training
