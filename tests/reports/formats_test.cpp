// The Report renderers (reports/formats.h) on a hand-made Report: exact CSV, the JSON contract, text and
// Markdown content, value formatting, and the schema check (sim/report.h).

#include <catch2/catch.hpp>

#include "reports/formats.h"
#include "sim/error.h"

using namespace fathom;
using namespace fathom::reports;

namespace {

Report sample() {
  Report r;
  r.kind = "toy";
  r.title = "A toy run";
  r.warnings = {"borrowed calibration"};
  r.lines = {"two rows"};
  r.data = {{"step_s", 0.0881},
            {"rate", 21506.4},
            {"rows", {{{"name", "gemm"}, {"time_s", 0.0238}}, {{"name", "a, \"b\""}, {"time_s", 0.0121}}}},
            {"folds", {"one replica of 128"}},
            {"assumptions", {{{"path", "x.y"}, {"value", "2ms"}, {"source", "assumed:a guess"}}}}};
  r.metrics = {{"/step_s", "s", "step"}, {"/rate", "tokens/s", "throughput"}, {"/rate", "", "hidden", false}};
  r.tables = {{"rows", "Rows", "/rows", {{"name", "row", ""}, {"time_s", "time", "ms", 1e3, 1}}}};
  return r;
}

}  // namespace

TEST_CASE("format_quantity: readable scales for seconds and bytes, grouped large numbers", "[unit]") {
  CHECK(format_quantity(0.0881, "s") == "88.1 ms");
  CHECK(format_quantity(2.5e-5, "s") == "25 us");
  CHECK(format_quantity(3.5, "s") == "3.5 s");
  CHECK(format_quantity(66475851776.0, "B") == "61.91 GiB");
  CHECK(format_quantity(21506.4, "tokens/s") == "21,506 tokens/s");
  CHECK(format_quantity(-1234567.0, "USD") == "-1,234,567 USD");
  CHECK(format_quantity(1.03, "") == "1.03");
  CHECK(format_quantity(7.2e12, "B/s") == "7.2 TB/s");
  CHECK(format_quantity(1.44e10, "B/s") == "14.4 GB/s");
}

TEST_CASE("renderers: JSON is the data, CSV is exact, text and Markdown show metrics and tables", "[unit]") {
  const Report r = sample();
  CHECK(nlohmann::json::parse(render(r, "json")) == r.data);
  CHECK(render(r, "csv") == "# rows\nname,time_s\ngemm,0.0238\n\"a, \"\"b\"\"\",0.0121\n");
  const std::string text = render(r, "text");
  CHECK(text.rfind("A toy run\n\nWARNING: borrowed calibration\n\ntwo rows\n", 0) == 0);
  CHECK(text.find("step        88.1 ms") != std::string::npos);
  CHECK(text.find("throughput  21,506 tokens/s") != std::string::npos);
  CHECK(text.find("hidden") == std::string::npos);  // not a headline
  CHECK(text.find("gemm       23.8\n") != std::string::npos);
  CHECK(text.find("x.y = 2ms  (assumed:a guess)") != std::string::npos);
  CHECK(text.find("Folds:\n  one replica of 128\n") != std::string::npos);
  const std::string md = render(r, "markdown");
  CHECK(md.find("# A toy run") == 0);
  CHECK(md.find("| step | 88.1 ms | `/step_s` |") != std::string::npos);
  CHECK(md.find("| gemm | 23.8 |") != std::string::npos);
}

TEST_CASE("a null cell (a value that does not exist) is blank in CSV and n/a in text and Markdown", "[unit]") {
  Report r = sample();
  r.data["rows"][1]["time_s"] = nullptr;
  CHECK(render(r, "csv") == "# rows\nname,time_s\ngemm,0.0238\n\"a, \"\"b\"\"\",\n");
  CHECK(render(r, "text").find("n/a") != std::string::npos);
  CHECK(render(r, "markdown").find("| n/a |") != std::string::npos);
}

TEST_CASE("an unknown format is one input error naming the flag, a schema path that is not there a logic error",
          "[unit]") {
  CHECK_THROWS_WITH(render(sample(), "pdf"),
                    "--format: unknown format \"pdf\"; known: text, json, markdown, csv, html, trace");
  Report bad = sample();
  CHECK_NOTHROW(check_report(bad));
  bad.metrics.push_back({"/nope", "s", "missing"});
  CHECK_THROWS_AS(check_report(bad), std::logic_error);
  bad = sample();
  bad.tables[0].columns.push_back({"bytes", "GB", ""});
  CHECK_THROWS_AS(check_report(bad), std::logic_error);
  CHECK(sample().metric("/step_s") == 0.0881);
  CHECK_THROWS_AS(sample().metric("/rows"), std::out_of_range);
}

namespace {

// Two slices of rank 0's compute stream and one send, as a run kind puts a timeline in its report.
Report with_timeline() {
  Report r = sample();
  r.data["timeline"] = {{{"process", 0},
                         {"thread", 0},
                         {"process_name", "rank 0"},
                         {"thread_name", "compute"},
                         {"name", "F0"},
                         {"category", "F"},
                         {"start_s", 0.0},
                         {"end_s", 0.002}},
                        {{"process", 0},
                         {"thread", 1},
                         {"process_name", "rank 0"},
                         {"thread_name", "sends"},
                         {"name", "send"},
                         {"category", "pp_send"},
                         {"start_s", 0.002},
                         {"end_s", 0.0025}}};
  TableSpec t{"timeline", "Timeline", "/timeline", {{"name", "slice", ""}, {"start_s", "start", "s"}}};
  t.listed = false;
  t.charts = {gantt_chart("Gantt", "name", "start_s", "end_s", "category", "s")};
  r.tables.push_back(t);
  r.timeline = "timeline";
  return r;
}

}  // namespace

TEST_CASE("trace format: the timeline table as complete events in microseconds, refused without one", "[unit]") {
  const Report r = with_timeline();
  CHECK_NOTHROW(check_report(r));
  const auto j = nlohmann::json::parse(render(r, "trace"));
  std::vector<nlohmann::json> complete;
  for (const auto& e : j["traceEvents"]) {
    if (e["ph"] == "X") complete.push_back(e);
  }
  REQUIRE(complete.size() == 2);
  CHECK(complete[0]["ts"].get<double>() == 0.0);
  CHECK(complete[0]["dur"].get<double>() == Approx(2000.0));
  CHECK(complete[1]["ts"].get<double>() == Approx(2000.0));
  CHECK(complete[1]["dur"].get<double>() == Approx(500.0));
  CHECK(complete[1]["tid"] == 1);
  CHECK_THROWS_WITH(
      render(sample(), "trace"),
      "trace: a toy run has no timeline to write (only training runs at the event or flow level have one)");
  // Not listed: left out of text and Markdown, kept in CSV, charted in HTML.
  CHECK(render(r, "text").find("Timeline") == std::string::npos);
  CHECK(render(r, "csv").find("# timeline\nname,start_s\nF0,0.0\n") != std::string::npos);
  const std::string html = render(r, "html");
  CHECK(html.find("data-charts-expected=\"1\"") != std::string::npos);
  CHECK(html.find("2 rows, not listed here") != std::string::npos);
  Report bad = with_timeline();
  bad.data["timeline"][1].erase("thread_name");
  CHECK_THROWS_AS(check_report(bad), std::logic_error);
}

TEST_CASE("line charts: one series per value key, checked against the rows", "[unit]") {
  Report r = sample();
  r.data["windows"] = {{{"start_h", 0.0}, {"end_h", 0.5}, {"a", 1}, {"b", 2}},
                       {{"start_h", 0.5}, {"end_h", 1.0}, {"a", 3}, {"b", 4}}};
  TableSpec t{"windows", "Windows", "/windows", {{"a", "A", "x"}}};
  t.charts = {line_chart("A and B", "start_h", "end_h", "hour", {"a", "b"}, "value"),
              line_chart("A", "start_h", "", "hour", {"a"}, "value")};
  r.tables.push_back(t);
  CHECK_NOTHROW(check_report(r));
  const std::string html = render(r, "html");
  CHECK(html.find("data-charts-expected=\"2\"") != std::string::npos);
  // Long format: the legend names the column's header with its unit, else the key.
  CHECK(html.find(R"j({"series":"A (x)","value":1,"x":0.0,"x_end":0.5})j") != std::string::npos);
  CHECK(html.find(R"j({"series":"b","value":4,"x":0.5,"x_end":1.0})j") != std::string::npos);
  r.tables.back().charts[0].series.push_back("missing");
  CHECK_THROWS_AS(check_report(r), std::logic_error);
}
