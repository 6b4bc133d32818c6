#include "models/training/training_budget.h"

#include <fmt/format.h>

#include <algorithm>

#include "models/schedule/registry.h"

namespace fathom::models::training {
namespace {

constexpr double kBytesPerPass = 100, kSecondsPerPassAnalytic = 1e-7;
constexpr double kBytesPerEventTask = 400, kSecondsPerEventTask = 2e-6;
constexpr double kBytesPerFlowTask = 200, kSecondsPerFlowTask = 4e-6;
constexpr double kBytesPerRampSegment = 100, kSecondsPerRampSegment = 1e-6;

}  // namespace

sim::WorkEstimate estimate_training_work(const TrainingWorkShape& s) {
  // Doubles throughout: the products of absurd inputs must not overflow before they are compared.
  const double pp = double(std::max<int64_t>(1, s.pp));
  // The stages along a micro-batch's path (ScheduleTraits::stages, in doubles): P·v with virtual stages, 2P in a V.
  const schedule::ScheduleTraits& traits = schedule::schedule_traits(s.schedule);
  const double stages = traits.virtual_stages ? pp * double(std::max<int64_t>(1, s.virtual_stages))
                        : traits.v_shape      ? 2 * pp
                                              : pp;
  const double micro_batches = double(std::max<int64_t>(1, s.micro_batches));
  const double replicas = double(std::max<int64_t>(1, s.replicas));
  const double passes = 3 * stages * micro_batches;  // F, B, W of every micro-batch on every stage
  const double segments = double(std::max<int64_t>(0, s.ramp_segments));
  const double simulations = 1 + std::min(segments, micro_batches);
  sim::WorkEstimate w;
  w.bytes = passes * kBytesPerPass + segments * kBytesPerRampSegment;
  w.seconds = segments * kSecondsPerRampSegment;
  if (s.fidelity == "analytic") {
    w.items = passes;
    w.item_name = "schedule passes";
    w.seconds += simulations * passes * kSecondsPerPassAnalytic;
    return w;
  }
  const bool flow = s.fidelity == "flow";
  const double layers_per_stage = std::max(1.0, double(s.layers) / stages);
  const double tasks = replicas * passes * (flow ? 2 + 8 * layers_per_stage : 1.0);
  w.items = tasks;
  w.item_name = "engine tasks";
  w.bytes += tasks * (flow ? kBytesPerFlowTask : kBytesPerEventTask);
  w.seconds += simulations * tasks * (flow ? kSecondsPerFlowTask : kSecondsPerEventTask);
  return w;
}

std::optional<std::string> training_over_budget(const TrainingWorkShape& s) {
  const auto why = sim::over_budget(estimate_training_work(s));
  if (!why) return std::nullopt;
  std::string shape = fmt::format("fidelity={} with pp {} x {} micro-batches", s.fidelity,
                                  sim::count_text(double(s.pp)), sim::count_text(double(s.micro_batches)));
  if (s.replicas > 1) shape += fmt::format(" x {} unfolded replicas", sim::count_text(double(s.replicas)));
  if (s.ramp_segments > 0) {
    shape += fmt::format(" and {} batch-ramp segments", sim::count_text(double(s.ramp_segments)));
  }
  const std::string advice = s.fidelity == "analytic" ? "use fewer micro-batches or ramp segments"
                             : s.fidelity == "flow"   ? "use fewer micro-batches, fidelity=event or fidelity=analytic"
                                                      : "use fewer micro-batches or fidelity=analytic";
  return fmt::format("{} {}; {}", shape, *why, advice);
}

}  // namespace fathom::models::training
