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

TEST_CASE("an unknown format is one input error naming the flag, a schema path that is not there a logic error",
          "[unit]") {
  CHECK_THROWS_WITH(render(sample(), "pdf"),
                    "--format: unknown format \"pdf\"; known: text, json, markdown, csv, html");
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
