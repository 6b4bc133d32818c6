#include "models/training/batch_ramp.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

namespace fathom::models::training {

BatchRampResult evaluate_batch_ramp(const BatchRampSpec& spec, const RampShape& shape,
                                    const std::function<int64_t(int64_t)>& accepted_micro_batches,
                                    const std::function<double(int64_t)>& step_seconds, double extra_per_step_s) {
  if (spec.segments < 1 || shape.dp < 1 || shape.micro_batch_sequences < 1 || shape.sequence_length < 1) {
    throw std::logic_error("evaluate_batch_ramp: segments, dp, micro_batch_sequences and sequence_length must be >= 1");
  }
  BatchRampResult out;
  const double start = double(spec.start_global_batch_sequences);
  const double final_batch = double(shape.dp * shape.final_micro_batches * shape.micro_batch_sequences);
  const int64_t sequences_per_micro_batch = shape.dp * shape.micro_batch_sequences;  // over all pipelines
  const double slice_tokens = spec.ramp_tokens / double(spec.segments);
  std::map<int64_t, double> step_at;  // one step simulation per distinct micro-batch count
  double gpu_seconds = 0;
  for (int64_t i = 0; i < spec.segments; ++i) {
    RampSegment seg;
    seg.target_global_batch_sequences = start + (final_batch - start) * (double(i) + 0.5) / double(spec.segments);
    const auto needed = int64_t(std::ceil(seg.target_global_batch_sequences / double(sequences_per_micro_batch)));
    seg.micro_batches = accepted_micro_batches(std::max<int64_t>(needed, 1));
    seg.global_batch_sequences = sequences_per_micro_batch * seg.micro_batches;
    auto it = step_at.find(seg.micro_batches);
    if (it == step_at.end()) it = step_at.emplace(seg.micro_batches, step_seconds(seg.micro_batches)).first;
    seg.step_s = it->second;
    seg.tokens = slice_tokens;
    seg.steps = slice_tokens / (double(seg.global_batch_sequences) * double(shape.sequence_length));
    out.ramp_steps += seg.steps;
    gpu_seconds += seg.steps * (seg.step_s + extra_per_step_s);
    out.segments.push_back(seg);
  }
  out.ramp_tokens = spec.ramp_tokens;  // = the slices' tokens, without rounding
  out.ramp_gpu_hours = gpu_seconds * double(shape.gpus) / 3600.0;
  out.distinct_micro_batch_counts = int(step_at.size());
  return out;
}

}  // namespace fathom::models::training
