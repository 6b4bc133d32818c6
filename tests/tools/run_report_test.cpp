// `fathom run / plan / verify ... --report DIR`: the files, and the HTML page in headless Chromium — it loads with no
// script errors and draws every chart (the page counts both on its <body>). Without Chromium or the
// Vega-Lite assets (tools/setup.sh installs both) the browser part is skipped with a message.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>
#include <string>

#include "support/cli_runner.h"

using fathom::test::read_all;
using fathom::test::run_fathom;
namespace fs = std::filesystem;

namespace {

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("fathom-report-test-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(d);
  return d;
}

// The <body> attributes after the page ran (chromium --dump-dom); empty when Chromium is absent.
std::string rendered_body(const fs::path& html) {
  if (std::system("command -v chromium >/dev/null 2>&1") != 0) return "";
  const fs::path out = html.parent_path() / "dom.html";
  const std::string cmd =
      "chromium --headless --no-sandbox --disable-gpu --virtual-time-budget=15000 --dump-dom 'file://" + html.string() +
      "' >'" + out.string() + "' 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) return "";
  std::smatch m;
  const std::string dom = read_all(out.string());
  return std::regex_search(dom, m, std::regex("<body [^>]*>")) ? m.str() : "";
}

int attribute(const std::string& body, const std::string& name) {
  std::smatch m;
  return std::regex_search(body, m, std::regex(name + "=\"([0-9]+)\"")) ? std::stoi(m[1]) : -1;
}

void check_page(const fs::path& dir, int charts) {
  const std::string html = read_all((dir / "report.html").string());
  REQUIRE(html.find("<!doctype html>") == 0);
  CHECK(html.find("data-charts-expected=\"" + std::to_string(charts) + "\"") != std::string::npos);
  if (html.find("vegaEmbed(") == std::string::npos) {
    WARN("Vega-Lite assets absent (run tools/setup.sh): charts not checked");
    return;
  }
  const std::string body = rendered_body(dir / "report.html");
  if (body.empty()) {
    WARN("chromium not available (tools/setup.sh installs it): the page was not rendered");
    return;
  }
  INFO(body);
  CHECK(attribute(body, "data-errors") == 0);
  CHECK(attribute(body, "data-charts") == charts);
}

}  // namespace

TEST_CASE("run --report writes JSON, CSV, Markdown and an HTML page whose charts draw without errors", "[smoke]") {
  const fs::path dir = fresh_dir("unit");
  const auto r = run_fathom("run scenarios/unit/deepseek-v3-decode-ep144-h800.json --report " + dir.string());
  REQUIRE(r.exit_code == 0);
  for (const char* f : {"report.json", "breakdown.csv", "summary.md", "report.html"}) CHECK(fs::exists(dir / f));
  CHECK(read_all((dir / "breakdown.csv").string())
            .rfind("name,time_s,exposed_s,share,flops,bytes,achieved_tflops,bound\n", 0) == 0);
  check_page(dir, 1);
  fs::remove_all(dir);
}

TEST_CASE("run --bands --report draws the intervals and the drivers", "[smoke]") {
  const fs::path dir = fresh_dir("bands");
  const auto r = run_fathom("run scenarios/unit/deepseek-v3-prefill-ep32-h800.json --bands 8 --report " + dir.string());
  REQUIRE(r.exit_code == 0);
  for (const char* f : {"bands.csv", "drivers.csv", "ranges.csv"}) CHECK(fs::exists(dir / f));
  check_page(dir, 2);
  fs::remove_all(dir);
}

TEST_CASE("run --report on the serving day draws nodes, load, cost, throughput and TTFT per window", "[smoke]") {
  const fs::path dir = fresh_dir("serving");
  const auto r = run_fathom("run scenarios/deepseek-v3-r1-serving-day.json --report " + dir.string());
  REQUIRE(r.exit_code == 0);
  for (const char* f : {"windows.csv", "window_rows.csv", "report.html"}) CHECK(fs::exists(dir / f));
  CHECK_FALSE(fs::exists(dir / "trace.json"));
  check_page(dir, 6);  // nodes, load, cost and revenue, throughput, speed, TTFT
  fs::remove_all(dir);
}

TEST_CASE("run --report on a training step draws the breakdown and the pipeline Gantt chart", "[smoke]") {
  const fs::path dir = fresh_dir("training");
  const auto r = run_fathom("run scenarios/deepseek-v3-pretrain-2048xh800.json --report " + dir.string());
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Pipeline timeline") == std::string::npos);  // not listed in text
  check_page(dir, 2);
  // The Gantt rows: one pipeline's 16 ranks, intervals with end >= start, compute slices of a rank disjoint.
  const auto j = nlohmann::json::parse(read_all((dir / "report.json").string()));
  const auto& rows = j.at("pipeline");
  REQUIRE(rows.size() > 1000);
  std::map<int, double> compute_end;
  for (const auto& row : rows) {
    const double start = row["start_s"].get<double>(), end = row["end_s"].get<double>();
    CHECK(end >= start);
    CHECK(row["rank"].get<int>() >= 0);
    CHECK(row["rank"].get<int>() < 16);
    if (row["lane"].get<std::string>().find("compute") == std::string::npos) continue;
    const int rank = row["rank"].get<int>();
    if (compute_end.count(rank)) CHECK(start >= compute_end[rank] - 1e-12);
    compute_end[rank] = end;
  }
  CHECK(compute_end.size() == 16);
  // trace.json is the trace format of the same report: every timeline row one complete event.
  const auto trace = nlohmann::json::parse(read_all((dir / "trace.json").string()));
  size_t complete = 0;
  for (const auto& e : trace["traceEvents"]) complete += e["ph"] == "X";
  CHECK(complete == j.at("timeline").size());
  fs::remove_all(dir);
}

TEST_CASE("plan --report draws the Pareto fronts as scatter charts, serving and training", "[smoke]") {
  const fs::path dir = fresh_dir("plan-serving");
  const auto r = run_fathom(
      "plan scenarios/deepseek-v3-r1-serving-day.json --set simulation.seconds_per_window=60s "
      "--report " +
      dir.string());
  REQUIRE(r.exit_code == 0);
  for (const char* f : {"throughput_front.csv", "cost_front.csv", "rejections.csv"}) CHECK(fs::exists(dir / f));
  check_page(dir, 2);  // tokens/s per GPU vs per user; cost vs tokens/s per user
  fs::remove_all(dir);
  const fs::path tdir = fresh_dir("plan-training");
  const auto t = run_fathom(
      "plan scenarios/deepseek-v3-pretrain-2048xh800.json --set 'plan={\"cluster_nodes\":[256]}' "
      "--report " +
      tdir.string());
  REQUIRE(t.exit_code == 0);
  check_page(tdir, 1);  // cost vs time
  fs::remove_all(tdir);
}

TEST_CASE("verify --report draws the claims table's chart", "[smoke]") {
  const fs::path dir = fresh_dir("verify");
  const auto r = run_fathom("verify tests/tools/claims/verify-test.json --report " + dir.string());
  REQUIRE(r.exit_code == 0);
  CHECK(fs::exists(dir / "claims.csv"));
  check_page(dir, 1);
  fs::remove_all(dir);
}

TEST_CASE("run --format trace prints the timeline, and is one error line for a kind without one", "[smoke]") {
  const auto r = run_fathom("run scenarios/deepseek-v3-pretrain-2048xh800.json --format trace");
  REQUIRE(r.exit_code == 0);
  CHECK(nlohmann::json::parse(r.out).contains("traceEvents"));
  const auto s = run_fathom("run scenarios/deepseek-v3-r1-serving-day.json --format trace");
  CHECK(s.exit_code == 2);
  CHECK(fathom::test::is_one_line(s.err));
  CHECK(s.err.find("--format trace: a serving run has no timeline") != std::string::npos);
  const auto t = run_fathom("run scenarios/unit/deepseek-v3-decode-ep144-h800.json --format markdown --json");
  CHECK(t.exit_code == 2);
  CHECK(fathom::test::is_one_line(t.err));
}

TEST_CASE("run --report into a path that cannot be a directory is one line, exit 2", "[smoke]") {
  const auto r = run_fathom("run scenarios/unit/deepseek-v3-decode-ep144-h800.json --report README.md");
  CHECK(r.exit_code == 2);
  CHECK(fathom::test::is_one_line(r.err));
  CHECK(r.err.find("--report README.md") != std::string::npos);
  const auto s = run_fathom("run scenarios/unit/deepseek-v3-decode-ep144-h800.json --report README.md/inside");
  CHECK(s.exit_code == 2);
  CHECK(fathom::test::is_one_line(s.err));
}
