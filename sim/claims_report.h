#pragma once
// The Report of `fathom verify` (docs/claims.md): per claim its verdict, the simulated value (the point, and
// p5 / p50 / p95 with --bands), the claimed value, claimed / simulated, why, and the drivers of the band. The
// `claims` table carries an interval chart: per claim the p5–p95 band and the claimed value, both relative to
// the simulated point (1 = the point), so claims of any unit share one axis.

#include <optional>
#include <string>
#include <vector>

#include "sim/band_sweep.h"
#include "sim/claims.h"
#include "sim/report.h"

namespace fathom {

struct ClaimOutcome {
  Claim claim;
  std::string verdict;  // "supported", "contradicted" or "not_checkable"
  std::string reason;
  std::string scenario_title;     // the scenario's report title, when it ran
  std::optional<ClaimUnit> unit;  // the metric's unit, when known
  std::optional<double> point;    // simulated, in `unit`
  std::optional<Band> band;       // with --bands and ranged values
  std::vector<Driver> drivers;    // of the band, largest first
};

// `samples` and `seed` of --bands (0 samples: none requested).
Report verify_report(const std::string& name, const std::vector<ClaimOutcome>& outcomes, int samples, uint64_t seed);

}  // namespace fathom
