// [golden] The headline predictions of the shipped scenarios (tests/golden/predictions.json) against what
// the built `fathom` predicts now, metric by metric, with a relative tolerance. A regression net, not a
// check against published figures: see tests/golden/README.md for when and how to update the file.
// With FATHOM_UPDATE_GOLDEN=1 in the environment the test rewrites the file with today's predictions
// instead, printing every moved metric as "old -> new (change)".

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "support/cli_runner.h"

TEST_CASE("golden: the shipped scenarios predict what tests/golden/predictions.json records", "[golden]") {
  const std::string file = std::string(FATHOM_SOURCE_DIR) + "/tests/golden/predictions.json";
  std::ifstream in(file);
  REQUIRE(in);
  nlohmann::json golden = nlohmann::json::parse(in);
  const bool update = std::getenv("FATHOM_UPDATE_GOLDEN") != nullptr;
  const double rel = golden.at("rel_tol").get<double>();
  for (auto& run : golden.at("runs")) {
    const std::string args = run.at("args").get<std::string>();
    const auto r = fathom::test::run_fathom(args + " --json");
    INFO("fathom " << args << "\n" << r.err);
    REQUIRE(r.exit_code == 0);
    const nlohmann::json got = nlohmann::json::parse(r.out);
    for (auto& [pointer, expected] : run.at("metrics").items()) {
      INFO(pointer);
      const nlohmann::json::json_pointer p(pointer);
      REQUIRE(got.contains(p));
      const double now = got.at(p).get<double>(), before = expected.get<double>();
      if (!update) {
        CHECK(now == Approx(before).epsilon(rel));
      } else if (std::fabs(now - before) > rel * std::fabs(before)) {
        std::cout << args << " " << pointer << ": " << before << " -> " << now << " ("
                  << (before != 0 ? (now / before - 1) * 100 : 0) << "%)\n";
        expected = now;
      }
    }
  }
  if (update) std::ofstream(file) << golden.dump(2) << "\n";
}
