#include "sim/claims_report.h"

#include <fmt/format.h>

namespace fathom {
namespace {

std::string in_unit(double v, const ClaimUnit& u) {
  return fmt::format("{:.4g}{}{}", v, u.name.empty() ? "" : " ", u.name);
}

nlohmann::json outcome_json(const ClaimOutcome& o) {
  const Claim& c = o.claim;
  nlohmann::json j = {
      {"id", c.id},
      {"text", c.text},
      {"source", c.source},
      {"note", c.note},
      {"scenario", c.scenario_name},
      {"scenario_title", o.scenario_title},
      {"set", c.sets},
      {"report", c.report},
      {"metric", c.metric.text},
      {"comparison", std::string(to_string(c.comparison))},
      {"claimed", c.claimed},
      {"claimed_unit", c.claimed_unit.name},
      {"claimed_text", in_unit(c.claimed, c.claimed_unit)},
      {"verdict", o.verdict},
      {"reason", o.reason},
      {"simulated_text", "-"},
      {"band_text", "-"},
      {"ratio_text", "-"},
      {"drivers_text", "-"},
      {"ratio", nullptr},
      {"simulated", nullptr},
      // Chart fields, relative to the simulated point (null when there is none, or it is not above 0).
      {"claimed_rel", nullptr},
      {"p5_rel", nullptr},
      {"p95_rel", nullptr},
  };
  if (c.comparison == Comparison::approx) j["tolerance"] = c.tolerance;
  if (!o.point || !o.unit) return j;
  auto shown = [&](double v) { return convert(v, *o.unit, c.claimed_unit); };  // in the claimed unit
  const double point = shown(*o.point);
  j["metric_unit"] = o.unit->name;
  j["simulated"] = point;
  j["simulated_text"] = in_unit(point, c.claimed_unit);
  if (point != 0 && c.claimed != 0) {
    j["ratio"] = c.claimed / point;
    j["ratio_text"] = fmt::format("{:.3g}", c.claimed / point);
  }
  if (o.band) {
    j["p5"] = shown(o.band->p5);
    j["p50"] = shown(o.band->p50);
    j["p95"] = shown(o.band->p95);
    j["band_text"] = fmt::format("{:.4g} - {}", shown(o.band->p5), in_unit(shown(o.band->p95), c.claimed_unit));
  }
  if (point > 0) {
    j["claimed_rel"] = c.claimed / point;
    j["p5_rel"] = o.band ? shown(o.band->p5) / point : 1.0;
    j["p95_rel"] = o.band ? shown(o.band->p95) / point : 1.0;
  }
  nlohmann::json drivers = nlohmann::json::array();
  for (const Driver& d : o.drivers) drivers.push_back({{"path", d.path}, {"share", d.share}});
  j["drivers"] = drivers;
  std::string top;
  for (size_t i = 0; i < o.drivers.size() && i < 3; ++i) {
    top += fmt::format("{}{} {:.0f}%", i ? ", " : "", o.drivers[i].path, 100 * o.drivers[i].share);
  }
  j["drivers_text"] = top.empty() ? "-" : top;
  return j;
}

}  // namespace

Report verify_report(const std::string& name, const std::vector<ClaimOutcome>& outcomes, int samples, uint64_t seed) {
  Report r;
  r.kind = "verify";
  r.title = name;
  nlohmann::json claims = nlohmann::json::array();
  int supported = 0, contradicted = 0, unchecked = 0;
  for (const ClaimOutcome& o : outcomes) {
    claims.push_back(outcome_json(o));
    supported += o.verdict == "supported";
    contradicted += o.verdict == "contradicted";
    unchecked += o.verdict == "not_checkable";
    r.lines.push_back(fmt::format("{}: {}: {}", o.claim.id, o.verdict, o.reason));
  }
  r.data = {{"kind", "verify"},
            {"name", name},
            {"claims", claims},
            {"supported", supported},
            {"contradicted", contradicted},
            {"not_checkable", unchecked}};
  if (samples > 0) r.data["bands"] = {{"samples", samples}, {"seed", seed}};
  r.lines.insert(r.lines.begin(), fmt::format("{} claims: {} supported, {} contradicted, {} not checkable{}",
                                              outcomes.size(), supported, contradicted, unchecked,
                                              samples > 0 ? fmt::format(" (bands: {} samples, seed {})", samples, seed)
                                                          : std::string(" (point values; --bands for p5-p95)")));
  r.metrics = {{"/supported", "", "claims supported"},
               {"/contradicted", "", "claims contradicted"},
               {"/not_checkable", "", "claims not checkable"}};
  r.tables = {{"claims",
               "Claims: simulated against claimed (ratio = claimed / simulated)",
               "/claims",
               {{"id", "id", ""},
                {"verdict", "verdict", ""},
                {"simulated_text", "simulated", ""},
                {"claimed_text", "claimed", ""},
                {"ratio_text", "ratio", ""},
                {"band_text", "band p5-p95", ""},
                {"drivers_text", "drivers", ""}},
               {{"interval", "id", "claimed_rel", "verdict", "p5_rel", "p95_rel",
                 "claimed (dot) and the p5-p95 band (line), relative to the simulated value"}}}};
  return r;
}

}  // namespace fathom
