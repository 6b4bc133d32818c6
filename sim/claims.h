#pragma once
// Claims files and verdicts for `fathom verify` (docs/claims.md). A claims file is a JSON object with
// `claims: [...]`; each claim names a scenario (a path or an inline object) with `set` overrides, a metric
// of that scenario's Report (sim/claim_metric.h), the claimed value with its unit (sim/claim_units.h) and a
// comparison. THE rule: a claim's value is only ever compared with a prediction; nothing of it flows into
// the scenario except the configuration the claim describes, which the claims file writes as the scenario.
//
// Verdicts (judge_claim):
//  - approx: supported when |claimed / simulated - 1| <= tolerance; with a band, also when p5 <= claimed
//    <= p95 (the band never fails a claim the point passes);
//  - at_most (the quantity is at most the claimed value): supported when simulated <= claimed; with a band,
//    when p5 <= claimed (some plausible outcome satisfies it);
//  - at_least: supported when simulated >= claimed; with a band, when p95 >= claimed;
//  - otherwise contradicted. not_checkable is decided by the runner (refused scenario, no such metric).

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/claim_metric.h"
#include "sim/claim_units.h"

namespace fathom {

enum class Comparison { approx, at_most, at_least };
std::string_view to_string(Comparison c);

struct Claim {
  std::string label;  // the claims file's name, for errors
  std::string where;  // "claims.3", for errors
  std::string id, text, source;
  std::string note;  // optional: how the claim maps onto what fathom computes
  // The scenario: a file (resolved: beside the claims file, then in the scenario library) or an inline
  // object (resolved as if written in the claims file).
  std::filesystem::path scenario_file;  // empty when inline
  nlohmann::json scenario_inline;       // null unless inline
  std::string scenario_name;            // the path as written, or "<inline>"
  std::vector<std::string> sets;        // --set syntax, applied to the scenario
  std::string report = "run";           // "run" (the scenario's kind) or "memory" (fathom memory of it)
  MetricExpr metric;
  std::optional<ClaimUnit> metric_unit;  // the unit of the metric in the report's data, when written
  double claimed = 0;                    // as written, in claimed_unit
  ClaimUnit claimed_unit;
  Comparison comparison = Comparison::approx;
  double tolerance = 0;  // approx only, > 0
};

struct ClaimsFile {
  std::filesystem::path file;  // as given
  std::string label;
  std::string name;
  std::vector<Claim> claims;
};

// Reads and checks a claims file strictly; every failure is InputError "<file>: claims.<i>.<key>: <what>".
// Scenario files are looked up beside the claims file, then in `search_dirs`.
ClaimsFile read_claims(const std::filesystem::path& file, const std::vector<std::filesystem::path>& search_dirs);

// The metric's unit for `claim`: the claim's metric_unit, else `report_unit` (the unit the report declares
// for a lone pointer, nullptr when it declares none). Throws InputError naming claims.<i>.metric_unit when
// neither gives one, and claims.<i>.claimed.unit when the claimed unit is of another dimension.
ClaimUnit metric_unit_for(const Claim& claim, const std::string* report_unit);

struct Band {
  double p5 = 0, p50 = 0, p95 = 0;
};

struct Judgement {
  std::string verdict;  // "supported" or "contradicted"
  std::string reason;   // one sentence, values in the claimed unit
};

// The verdict of `claim` on the simulated `point` (and `band`, if sampled), all in the metric's unit `unit`.
Judgement judge_claim(const Claim& claim, const ClaimUnit& unit, double point, const std::optional<Band>& band);

// `value` in `from` expressed in `to` (same dimension).
double convert(double value, const ClaimUnit& from, const ClaimUnit& to);

}  // namespace fathom
