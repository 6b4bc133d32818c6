#pragma once
// Runs the scenario of every claim of a claims file and judges it (`fathom verify`, docs/claims.md): the
// composition root for claims, since a claim may name a scenario of any run kind (tools/run_kinds.h) or ask
// for `fathom memory` of it.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/claims.h"
#include "sim/claims_report.h"

namespace fathom::tools {

struct VerifyOptions {
  int bands = 0;  // --bands N (0: point values only)
  uint64_t seed = 1;
  int threads = 0;  // 0: every core
};

// Contract: every scenario is loaded and validated before any runs, so a bad scenario (not found, a cyclic
// include, an unknown key) is one InputError naming claims.<i>.scenario and nothing runs. A valid scenario
// the simulator refuses (it does not fit, the SLO is unreachable) makes its claim not_checkable with the
// refusal as the reason; so does a metric the report does not have.
std::vector<ClaimOutcome> run_claims(const ClaimsFile& claims, const VerifyOptions& options);

// `fathom verify FILE`: the claims file read (the scenario library searched), every claim run and judged, as
// the verify Report. InputError for bands outside 2..100000 (0: none) or negative threads. The CLI
// (tools/cmd_verify.cpp) and the Python module call it.
Report verify_claims_report(const std::string& file, const VerifyOptions& options);

}  // namespace fathom::tools
