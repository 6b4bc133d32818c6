#include "tools/claim_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "sim/band_sweep.h"
#include "sim/bands.h"
#include "sim/error.h"
#include "sim/scenario_document.h"
#include "tools/build_info.h"
#include "tools/run_kinds.h"

namespace fathom::tools {
namespace {

using Maker = Report (*)(const ScenarioDocument&, const RunOptions&);

// A claim's scenario, loaded, and the report it asks for.
struct Prepared {
  ScenarioDocument doc;
  Maker make = nullptr;
};

[[noreturn]] void fail_scenario(const ClaimsFile& f, const Claim& c, const std::string& what) {
  throw InputError(fmt::format("{}: {}.scenario: {}", f.label, c.where, what));
}

Prepared prepare(const ClaimsFile& f, const Claim& c) {
  Prepared p;
  try {
    p.doc = c.scenario_file.empty()
                ? scenario_from_json(c.scenario_inline, "(inline)", f.file, c.sets, scenario_library())
                : load_scenario(c.scenario_file, c.sets, scenario_library());
    const std::optional<std::string> kind = p.doc.kind();
    if (c.report == "memory" || !kind) {
      p.make = &memory_report_of;
    } else {
      p.make = run_kind_registry().get(*kind, p.doc.label + ": kind").make.report;
    }
    RunOptions validate;
    validate.validate_only = true;
    (void)p.make(p.doc, validate);
  } catch (const InputError& e) {
    fail_scenario(f, c, e.what());
  }
  return p;
}

// The unit the report declares for a lone pointer that is one of its metrics, or nullptr.
const std::string* declared_unit(const Claim& c, const Report& r) {
  if (c.metric.combined() || !c.metric.terms[0].is_pointer) return nullptr;
  for (const MetricSpec& m : r.metrics) {
    if (m.path == c.metric.terms[0].pointer) return &m.unit;
  }
  return nullptr;
}

// The band of the claim's metric over the scenario's ranged values (sim/band_sweep.h): each sampled run's
// report gets the metric as its one headline figure.
MetricBand claim_band(const Prepared& p, const Claim& c, const ClaimUnit& unit, const VerifyOptions& o) {
  const BandSweep sweep =
      sweep_bands(p.doc, o.bands, o.seed, band_threads(p.doc, o.threads), [&](const ScenarioDocument& d) {
        Report r = p.make(d, RunOptions{});
        const MetricValue v = evaluate_metric(c.metric, r.data);
        if (!v.ok) throw InputError(fmt::format("{}: a sampled run: {}", d.label, v.why));
        r.data["claim_metric"] = v.value;
        r.metrics = {{"/claim_metric", unit.name, c.metric.text, true}};
        return r;
      });
  return sweep.bands.at(0);
}

ClaimOutcome judge(const Claim& c, const Prepared& p, std::map<std::string, Report>& cache, const VerifyOptions& o) {
  ClaimOutcome out;
  out.claim = c;
  const std::string key = std::to_string(reinterpret_cast<uintptr_t>(p.make)) + p.doc.root.dump();
  auto it = cache.find(key);
  if (it == cache.end()) {
    try {
      it = cache.emplace(key, p.make(p.doc, RunOptions{})).first;
    } catch (const InputError& e) {
      out.verdict = "not_checkable";
      out.reason = fmt::format("the scenario is refused: {}", e.what());
      return out;
    }
  }
  const Report& report = it->second;
  out.scenario_title = report.title;
  const MetricValue v = evaluate_metric(c.metric, report.data);
  if (!v.ok) {
    out.verdict = "not_checkable";
    out.reason = fmt::format("a {} report does not produce this metric: {}", report.kind, v.why);
    return out;
  }
  const ClaimUnit unit = metric_unit_for(c, declared_unit(c, report));
  out.unit = unit;
  out.point = v.value;
  std::string note;
  if (o.bands > 0) {
    if (find_ranges(p.doc.root, p.doc.label).empty()) {
      note = "; no value of the scenario carries a range, so there is no band";
    } else {
      try {
        const MetricBand b = claim_band(p, c, unit, o);
        out.band = Band{b.p5, b.p50, b.p95};
        out.drivers = b.drivers;
      } catch (const InputError& e) {
        note = fmt::format("; no band: {}", e.what());
      }
    }
  }
  const Judgement j = judge_claim(c, unit, v.value, out.band);
  out.verdict = j.verdict;
  out.reason = j.reason + note;
  return out;
}

}  // namespace

std::vector<ClaimOutcome> run_claims(const ClaimsFile& f, const VerifyOptions& o) {
  std::vector<Prepared> prepared;
  for (const Claim& c : f.claims) prepared.push_back(prepare(f, c));
  std::map<std::string, Report> cache;  // one run per distinct resolved scenario and report
  std::vector<ClaimOutcome> out;
  for (size_t i = 0; i < f.claims.size(); ++i) out.push_back(judge(f.claims[i], prepared[i], cache, o));
  return out;
}

Report verify_claims_report(const std::string& file, const VerifyOptions& options) {
  if (options.bands != 0 && (options.bands < 2 || options.bands > 100000)) {
    throw InputError(fmt::format("--bands {}: use 2 to 100000 samples", options.bands));
  }
  if (options.threads < 0)
    throw InputError(fmt::format("--threads {}: must be 0 (every core) or more", options.threads));
  const ClaimsFile claims = read_claims(file, scenario_library());
  return verify_report(claims.name, run_claims(claims, options), options.bands, options.seed);
}

}  // namespace fathom::tools
