// [golden] The headline predictions of the shipped scenarios (tests/golden/predictions.json) against what
// the built `fathom` predicts now, metric by metric, with a relative tolerance. A regression net, not a
// check against published figures: see tests/golden/README.md for when and how to update the file.

#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>

#include "support/cli_runner.h"

TEST_CASE("golden: the shipped scenarios predict what tests/golden/predictions.json records", "[golden]") {
  std::ifstream in(std::string(FATHOM_SOURCE_DIR) + "/tests/golden/predictions.json");
  REQUIRE(in);
  const nlohmann::json golden = nlohmann::json::parse(in);
  const double rel = golden.at("rel_tol").get<double>();
  for (const auto& run : golden.at("runs")) {
    const std::string args = run.at("args").get<std::string>();
    const auto r = fathom::test::run_fathom(args + " --json");
    INFO("fathom " << args << "\n" << r.err);
    REQUIRE(r.exit_code == 0);
    const nlohmann::json got = nlohmann::json::parse(r.out);
    for (const auto& [pointer, expected] : run.at("metrics").items()) {
      INFO(pointer);
      const nlohmann::json::json_pointer p(pointer);
      REQUIRE(got.contains(p));
      CHECK(got.at(p).get<double>() == Approx(expected.get<double>()).epsilon(rel));
    }
  }
}
