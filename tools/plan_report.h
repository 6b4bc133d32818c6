#pragma once
// `fathom plan`'s search as a library call (tools/cmd_plan.cpp): the CLI and the Python module both call it.

#include <cstdint>
#include <optional>
#include <string>

#include "sim/report.h"
#include "sim/scenario_document.h"
#include "tools/plan_mpi.h"

namespace fathom::tools {

struct PlanOptions {
  std::string report_dir;  // --report DIR (the CLI writes it; plan_report_of does not)
  int bands = 0;           // --bands N: sample the best configuration's ranged values N times (0: none)
  uint64_t seed = 1;       // --seed of the sampling
  int threads = 0;         // --threads for the bands (0: every core)
};

// The plan of a serving or training scenario (docs/plan.md), split over `ranks` (one rank outside mpirun).
// Nothing on the ranks other than 0 of a distributed run (rank 0 prints and writes). InputError for another
// kind, a bad "plan" section, bands outside 2..100000. A progress bar on stderr when it is a terminal.
std::optional<Report> plan_report_of(const ScenarioDocument& doc, const PlanOptions& options, const PlanRanks& ranks);

}  // namespace fathom::tools
