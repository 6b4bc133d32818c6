#include "sim/claims.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <stdexcept>

#include "sim/error.h"
#include "sim/scenario_document.h"
#include "sim/spec_reader.h"
#include "sim/strict_json.h"

namespace fathom {
namespace {

namespace fs = std::filesystem;

ClaimUnit read_unit(const SpecReader& r, const std::string& key) {
  const nlohmann::json& v = r.raw(key);
  if (!v.is_string()) r.fail(key, fmt::format("expected a unit as a string (\"GB\", \"us\", \"\"), got {}", brief(v)));
  const std::string name = v.get<std::string>();
  const ClaimUnit* u = find_claim_unit(name);
  if (u == nullptr) {
    std::vector<std::string> names;
    for (const ClaimUnit& c : claim_units()) names.push_back(c.name);
    const std::string near = closest_spelling(name, names);
    r.fail(key, fmt::format("unknown unit \"{}\"{}; docs/claims.md lists the units (B, GB, GiB, s, ms, us, TFLOPS, "
                            "GB/s, Gbps, tokens/s, USD, GPU-h, \"\" for a ratio, ...)",
                            printable(name, 20), near.empty() ? "" : fmt::format(" (did you mean {}?)", near)));
  }
  return *u;
}

void read_scenario(const SpecReader& r, Claim& c, const fs::path& file, const std::vector<fs::path>& search_dirs) {
  const nlohmann::json& v = r.raw("scenario");
  if (v.is_object()) {
    c.scenario_inline = v;
    c.scenario_name = "<inline>";
    return;
  }
  if (!v.is_string() || v.get<std::string>().empty()) {
    r.fail("scenario", fmt::format("expected a scenario file path or an inline scenario object, got {}", brief(v)));
  }
  const std::string written = v.get<std::string>();
  std::vector<fs::path> dirs = {fs::absolute(file).parent_path()};
  dirs.insert(dirs.end(), search_dirs.begin(), search_dirs.end());
  std::vector<fs::path> tried;
  for (const fs::path& p : candidate_paths(written, dirs)) {
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) {
      c.scenario_file = p;
      c.scenario_name = written;
      return;
    }
    tried.push_back(p);
  }
  std::string looked;
  for (const fs::path& p : tried)
    looked += (looked.empty() ? "" : ", ") + printable(p.lexically_normal().string(), 120);
  r.fail("scenario", fmt::format("file {} not found; looked in {}", printable(written, 80), looked));
}

Claim read_claim(const SpecReader& r, const std::string& label, const fs::path& file,
                 const std::vector<fs::path>& search_dirs) {
  Claim c;
  c.label = label;
  c.where = r.path();
  c.id = r.text("id");
  if (c.id.empty()) r.fail("id", "must not be empty");
  c.text = r.text("text");
  c.source = r.text("source");
  read_scenario(r, c, file, search_dirs);
  if (r.has("set")) {
    const nlohmann::json& sets = r.raw("set");
    if (!sets.is_array()) r.fail("set", "expected a list of \"path.to.key=value\" strings");
    for (size_t i = 0; i < sets.size(); ++i) {
      if (!sets[i].is_string() || sets[i].get<std::string>().find('=') == std::string::npos) {
        r.fail(fmt::format("set.{}", i), fmt::format("expected \"path.to.key=value\", got {}", brief(sets[i])));
      }
      c.sets.push_back(sets[i].get<std::string>());
    }
  }
  if (r.has("note")) c.note = r.text("note");
  if (r.has("report")) c.report = r.choice("report", {"run", "memory"});
  try {
    c.metric = parse_metric(r.text("metric"));
  } catch (const std::invalid_argument& e) {
    r.fail("metric", e.what());
  }
  if (r.has("metric_unit")) c.metric_unit = read_unit(r, "metric_unit");
  if (c.metric.combined() && !c.metric_unit) {
    r.fail_missing("metric_unit", "required when the metric combines terms (the unit of the combined value)");
  }
  const SpecReader claimed = r.child("claimed");
  c.claimed = claimed.number("value");
  c.claimed_unit = read_unit(claimed, "unit");
  claimed.finish();
  if (c.metric_unit && c.metric_unit->dimension != c.claimed_unit.dimension) {
    claimed.fail("unit",
                 fmt::format("\"{}\" ({}) cannot be compared with the metric's unit \"{}\" ({})", c.claimed_unit.name,
                             c.claimed_unit.dimension, c.metric_unit->name, c.metric_unit->dimension));
  }
  const std::string comparison = r.choice("comparison", {"approx", "at_most", "at_least"});
  c.comparison = comparison == "approx"    ? Comparison::approx
                 : comparison == "at_most" ? Comparison::at_most
                                           : Comparison::at_least;
  if (c.comparison == Comparison::approx) {
    if (!r.has("tolerance")) r.fail_missing("tolerance", "required with comparison approx (relative, e.g. 0.2)");
    c.tolerance = r.number("tolerance");
    if (!(c.tolerance > 0)) r.fail("tolerance", fmt::format("must be above 0 (relative), got {}", c.tolerance));
  } else if (r.has("tolerance")) {
    r.fail("tolerance", fmt::format("only comparison approx takes a tolerance, not {}", comparison));
  }
  r.finish();
  return c;
}

}  // namespace

std::string_view to_string(Comparison c) {
  switch (c) {
    case Comparison::approx:
      return "approx";
    case Comparison::at_most:
      return "at_most";
    case Comparison::at_least:
      return "at_least";
  }
  return "?";
}

ClaimsFile read_claims(const fs::path& file, const std::vector<fs::path>& search_dirs) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    throw InputError(fmt::format("{}: claims file not found (looked in {})", printable(file.string(), 200),
                                 printable(fs::absolute(file).lexically_normal().string(), 200)));
  }
  ClaimsFile out;
  out.file = file;
  out.label = printable(file.filename().string());
  const nlohmann::json root = read_json_file(file);
  if (!root.is_object()) {
    throw InputError(fmt::format("{}: (top level): a claims file is a JSON object with \"claims\": [...], got {}",
                                 out.label, brief(root)));
  }
  const SpecReader top(root, out.label, "");
  out.name = top.has("name") ? top.text("name") : out.label;
  if (top.has("description")) top.text("description");
  const std::vector<SpecReader> entries = top.objects("claims");
  if (entries.empty()) top.fail("claims", "no claims: write at least one");
  std::map<std::string, std::string> seen;  // id -> where
  for (const SpecReader& e : entries) {
    Claim c = read_claim(e, out.label, file, search_dirs);
    if (const auto it = seen.find(c.id); it != seen.end()) {
      e.fail("id", fmt::format("\"{}\" is already the id of {}", printable(c.id, 40), it->second));
    }
    seen.emplace(c.id, c.where);
    out.claims.push_back(std::move(c));
  }
  top.finish();
  return out;
}

ClaimUnit metric_unit_for(const Claim& c, const std::string* report_unit) {
  ClaimUnit unit;
  if (c.metric_unit) {
    unit = *c.metric_unit;
  } else if (report_unit == nullptr) {
    throw InputError(
        fmt::format("{}: {}.metric_unit: required: the report declares no unit for {}; write the unit "
                    "of that value as the report holds it (its key names it: _bytes is B, _s is s)",
                    c.label, c.where, printable(c.metric.text, 80)));
  } else if (const ClaimUnit* u = find_claim_unit(*report_unit)) {
    unit = *u;
  } else {
    throw InputError(
        fmt::format("{}: {}.metric_unit: required: the report's unit \"{}\" for {} is not one fathom "
                    "verify converts",
                    c.label, c.where, printable(*report_unit, 20), printable(c.metric.text, 80)));
  }
  if (unit.dimension != c.claimed_unit.dimension) {
    throw InputError(
        fmt::format("{}: {}.claimed.unit: \"{}\" ({}) cannot be compared with the metric's unit \"{}\" "
                    "({})",
                    c.label, c.where, c.claimed_unit.name, c.claimed_unit.dimension, unit.name, unit.dimension));
  }
  return unit;
}

double convert(double value, const ClaimUnit& from, const ClaimUnit& to) { return value * from.factor / to.factor; }

Judgement judge_claim(const Claim& c, const ClaimUnit& unit, double point, const std::optional<Band>& band) {
  const double claimed = convert(c.claimed, c.claimed_unit, unit);  // in the metric's unit
  auto shown = [&](double v) {
    const double x = convert(v, unit, c.claimed_unit);
    return fmt::format("{:.4g}{}{}", x, c.claimed_unit.name.empty() ? "" : " ", c.claimed_unit.name);
  };
  const std::string sim = shown(point);
  const std::string cl = shown(claimed);
  const std::string band_text = band ? fmt::format(" (p5-p95 {} to {})", shown(band->p5), shown(band->p95)) : "";
  bool ok = false;
  std::string reason;
  switch (c.comparison) {
    case Comparison::approx: {
      const double off = point != 0 ? std::fabs(claimed / point - 1) : (claimed == 0 ? 0 : INFINITY);
      const bool in_band = band && band->p5 <= claimed && claimed <= band->p95;
      ok = off <= c.tolerance || in_band;
      reason =
          fmt::format("claimed {} is {} of simulated {}{} (tolerance {:.3g}%){}", cl,
                      std::isfinite(off) ? fmt::format("{:.3g}% off", 100 * off) : std::string("infinitely far"), sim,
                      band_text, 100 * c.tolerance, band ? (in_band ? "; inside the band" : "; outside the band") : "");
      break;
    }
    case Comparison::at_most: {
      const double best = band ? band->p5 : point;
      ok = best <= claimed;
      reason = fmt::format("claimed at most {}; simulated {}{}{}", cl, sim, band_text,
                           ok ? (band ? ": the band's low end is within it" : ": within it")
                              : (band ? ": even the band's low end exceeds it" : ": exceeds it"));
      break;
    }
    case Comparison::at_least: {
      const double best = band ? band->p95 : point;
      ok = best >= claimed;
      reason = fmt::format("claimed at least {}; simulated {}{}{}", cl, sim, band_text,
                           ok ? (band ? ": the band's high end reaches it" : ": reaches it")
                              : (band ? ": even the band's high end falls short" : ": falls short"));
      break;
    }
  }
  return {ok ? "supported" : "contradicted", reason};
}

}  // namespace fathom
