#pragma once
// The schedule registry: `1f1b`, `zb1p`, `dualpipe`, `dualpipev`, `interleaved_1f1b` -> generator (listed by `fathom
// list`).

#include "models/schedule/schedule.h"
#include "sim/registry.h"

namespace fathom::models::schedule {

using ScheduleFactory = Schedule (*)(const ScheduleParams&);

const Registry<ScheduleFactory>& schedule_registry();

}  // namespace fathom::models::schedule
