#pragma once
// Goodput of a training scenario (issue #16; docs/training.md, "Goodput"): the optional top-level `failures`
// section (MTBF per GPU and per node, the restart overhead; assumed values with ranges) with the
// checkpoint section's interval and the checkpoint model's write time (models/storage, through
// checkpoint_cost) gives the expected goodput at the scenario's interval, the interval that maximises it,
// and the band over the inputs' ranges (goodput.h is the model).

#include <optional>

#include "models/training/goodput.h"
#include "sim/spec_reader.h"

namespace fathom::models::training {

struct Band {
  double low = 0, value = 0, high = 0;
};

// The `failures` section: each key a number with an optional [low, high] range (the value when absent).
struct FailureSpec {
  Band mtbf_gpu_hours, mtbf_node_hours;
  Band restart_overhead_s;  // detection, rescheduling, warm-up; the checkpoint load is added (its write time)
};
FailureSpec read_failure_spec(const SpecReader& r);

struct TrainingGoodput {
  double system_mtbf_s = 0;        // at the values
  double checkpoint_s = 0;         // one blocking checkpoint write (delta)
  double restart_s = 0;            // overhead + reloading the checkpoint (taken as its write time)
  double interval_s = 0;           // the scenario's: every_steps x step
  Band goodput;                    // at the scenario's interval; low/high over the ranges' corners
  Band optimal_interval_s;         // the interval that maximises goodput
  double optimal_every_steps = 0;  // optimal_interval_s.value / step
  double optimal_goodput = 0;
  double young_interval_s = 0;  // sqrt(2 delta M): the closed-form check
};

// `step_s`: the final-batch step (without the checkpoint share); `checkpoint_s`: one write.
TrainingGoodput training_goodput(const FailureSpec& f, int64_t gpus, int64_t nodes, double step_s, int64_t every_steps,
                                 double checkpoint_s);

}  // namespace fathom::models::training
