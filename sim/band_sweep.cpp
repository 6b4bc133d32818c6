#include "sim/band_sweep.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <thread>

#include "sim/error.h"

namespace fathom {
namespace {

// Runs every document of `docs` on `threads` threads; reports stored by index.
std::vector<Report> run_all(const ScenarioDocument& base, const std::vector<nlohmann::json>& docs, int threads,
                            const RunToReport& run) {
  std::vector<Report> out(docs.size());
  std::vector<std::exception_ptr> errors(docs.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < docs.size(); i = next++) {
      try {
        ScenarioDocument d = base;
        d.root = docs[i];
        out[i] = run(d);
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(threads, 1); ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return out;
}

}  // namespace

BandSweep sweep_bands(const ScenarioDocument& doc, int samples, uint64_t seed, int threads, const RunToReport& run) {
  BandSweep s;
  s.samples = samples;
  s.seed = seed;
  s.ranges = find_ranges(doc.root, doc.label);
  if (s.ranges.empty()) {
    throw InputError(
        fmt::format("{}: no value carries a range, so --bands has nothing to sample (write "
                    "{{\"value\": v, \"range\": [low, high], \"source\": \"assumed:...\"}})",
                    doc.label));
  }
  // The point run and the one-at-a-time sweep.
  std::vector<nlohmann::json> docs{doc.root};
  for (const RangedValue& r : s.ranges) {
    docs.push_back(with_value(doc.root, r, r.low));
    docs.push_back(with_value(doc.root, r, r.high));
  }
  const std::vector<Report> oat = run_all(doc, docs, threads, run);
  const Report& point = oat.front();
  std::vector<bool> active(s.ranges.size(), false);
  for (const MetricSpec& m : point.metrics) {
    if (!m.headline) continue;
    MetricBand b;
    b.metric = m;
    b.point = point.metric(m.path);
    double total = 0;
    for (size_t j = 0; j < s.ranges.size(); ++j) {
      const double effect = std::fabs(oat[2 * j + 2].metric(m.path) - oat[2 * j + 1].metric(m.path));
      if (effect > 1e-12 * std::max(1.0, std::fabs(b.point))) {
        b.drivers.push_back({s.ranges[j].path, effect, 0});
        active[j] = true;
        total += effect;
      }
    }
    for (Driver& d : b.drivers) d.share = d.effect / total;
    std::stable_sort(b.drivers.begin(), b.drivers.end(),
                     [](const Driver& a, const Driver& c) { return a.effect > c.effect; });
    s.bands.push_back(std::move(b));
  }
  // The Latin hypercube over the active ranges.
  std::vector<RangedValue> sampled;
  for (size_t j = 0; j < s.ranges.size(); ++j) {
    if (active[j]) {
      sampled.push_back(s.ranges[j]);
    } else {
      s.inert.push_back(s.ranges[j].path);
    }
  }
  std::vector<nlohmann::json> lhs_docs;
  for (const std::vector<double>& x : latin_hypercube(sampled, samples, seed)) {
    nlohmann::json root = doc.root;
    for (size_t j = 0; j < sampled.size(); ++j) root = with_value(std::move(root), sampled[j], x[j]);
    lhs_docs.push_back(std::move(root));
  }
  const std::vector<Report> lhs = sampled.empty() ? std::vector<Report>{} : run_all(doc, lhs_docs, threads, run);
  for (MetricBand& b : s.bands) {
    std::vector<double> v;
    for (const Report& r : lhs) v.push_back(r.metric(b.metric.path));
    if (v.empty()) v.push_back(b.point);
    b.p5 = percentile(v, 5);
    b.p50 = percentile(v, 50);
    b.p95 = percentile(v, 95);
  }
  s.runs = static_cast<int>(docs.size() + lhs.size());
  s.point = point;
  return s;
}

Report band_report(const BandSweep& s) {
  const Report& point = s.point;
  Report r;
  r.kind = point.kind;
  r.title = point.title + " (bands)";
  r.warnings = point.warnings;
  r.lines.push_back(fmt::format("{} Latin-hypercube samples (seed {}) over {} ranged values; {} runs in all", s.samples,
                                s.seed, s.ranges.size() - s.inert.size(), s.runs));
  if (!s.inert.empty()) {
    std::string inert;
    for (const std::string& p : s.inert) inert += (inert.empty() ? "" : ", ") + p;
    r.lines.push_back("Inert (no headline metric moves at either end, not sampled): " + inert);
  }
  nlohmann::json bands = nlohmann::json::array(), driver_rows = nlohmann::json::array();
  for (const MetricBand& b : s.bands) {
    nlohmann::json drivers = nlohmann::json::array();
    std::string top;
    for (size_t i = 0; i < b.drivers.size(); ++i) {
      drivers.push_back({{"path", b.drivers[i].path}, {"effect", b.drivers[i].effect}, {"share", b.drivers[i].share}});
      if (i < 3)
        top += fmt::format("{}{} {:.0f}%", top.empty() ? "" : ", ", b.drivers[i].path, 100 * b.drivers[i].share);
    }
    for (const Driver& d : b.drivers) {
      driver_rows.push_back({{"label", b.metric.description + ": " + d.path},
                             {"metric", b.metric.path},
                             {"driver", d.path},
                             {"share", d.share}});
    }
    const std::string& u = b.metric.unit;
    // Relative to the point value (1 when the point is 0), for one chart across units.
    const auto rel = [&](double x) { return b.point != 0 ? x / b.point : 1.0; };
    bands.push_back({{"metric", b.metric.path},
                     {"description", b.metric.description},
                     {"unit", u},
                     {"point", b.point},
                     {"p5", b.p5},
                     {"p50", b.p50},
                     {"p95", b.p95},
                     {"point_text", format_quantity(b.point, u)},
                     {"p5_text", format_quantity(b.p5, u)},
                     {"p50_text", format_quantity(b.p50, u)},
                     {"p95_text", format_quantity(b.p95, u)},
                     {"p5_rel", rel(b.p5)},
                     {"p50_rel", rel(b.p50)},
                     {"p95_rel", rel(b.p95)},
                     {"drivers", drivers},
                     {"top_drivers", top}});
  }
  nlohmann::json ranges = nlohmann::json::array();
  for (const RangedValue& v : s.ranges) {
    ranges.push_back({{"path", v.path},
                      {"point", v.point},
                      {"low", v.low},
                      {"high", v.high},
                      {"unit", v.unit},
                      {"source", v.source},
                      {"inert", std::find(s.inert.begin(), s.inert.end(), v.path) != s.inert.end()}});
  }
  r.data = {{"kind", point.kind},   {"bands", bands}, {"drivers", driver_rows}, {"ranges", ranges},
            {"samples", s.samples}, {"seed", s.seed}, {"runs", s.runs},         {"point", point.data}};
  r.tables = {{"bands",
               "Headline metrics: point value and the p5 / p50 / p95 over the ranges, with the top drivers "
               "(share of the one-at-a-time spread)",
               "/bands",
               {{"description", "metric", ""},
                {"point_text", "point", ""},
                {"p5_text", "p5", ""},
                {"p50_text", "p50", ""},
                {"p95_text", "p95", ""},
                {"top_drivers", "top drivers", ""}},
               {{"interval", "description", "p50_rel", "", "p5_rel", "p95_rel",
                 "p5 to p95 (dot: p50), relative to the point value"}}},
              {"drivers",
               "Drivers: each ranged value's share of a metric's one-at-a-time spread",
               "/drivers",
               {{"metric", "metric", ""}, {"driver", "ranged value", ""}, {"share", "share", "%", 100, 0}},
               {{"bar", "label", "share", "", "", "", "share of the spread"}}},
              {"ranges",
               "Ranged values",
               "/ranges",
               {{"path", "value", ""},
                {"point", "point", ""},
                {"low", "low", ""},
                {"high", "high", ""},
                {"unit", "unit", ""}}}};
  return r;
}

}  // namespace fathom
