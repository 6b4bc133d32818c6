// The sampling behind --bands (sim/bands.h): ranged values found with their units, written back, a Latin
// hypercube that visits every stratum once and repeats with its seed, and percentiles.

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "sim/bands.h"
#include "sim/error.h"

using namespace fathom;

namespace {

nlohmann::json doc() {
  return nlohmann::json::parse(R"({
    "a": {"value": 0.2, "range": [0.0, 0.5], "source": "assumed:skew"},
    "b": {"c": {"value": "5ms", "range": ["2ms", "10ms"]}, "d": {"value": 3, "source": "published:X"}},
    "list": [1, {"value": 8, "range": [4, 16]}]
  })");
}

}  // namespace

TEST_CASE("find_ranges: every ranged value with its point, ends, unit and source", "[unit]") {
  const auto r = find_ranges(doc(), "s.json");
  REQUIRE(r.size() == 3);
  CHECK(r[0].path == "/a");
  CHECK(r[0].point == 0.2);
  CHECK(r[0].high == 0.5);
  CHECK(r[0].source == "assumed:skew");
  CHECK(r[1].path == "/b/c");
  CHECK(r[1].unit == "ms");
  CHECK(r[1].low == 2.0);
  CHECK(r[2].path == "/list/1");
  CHECK(with_value(doc(), r[1], 7.5)["b"]["c"]["value"] == "7.5ms");
  CHECK(with_value(doc(), r[0], 0.3)["a"]["value"] == 0.3);
  CHECK(r[2].integer);
  CHECK_FALSE(r[0].integer);
  CHECK(with_value(doc(), r[2], 9.6)["list"][1]["value"] == 10);
  nlohmann::json bad = doc();
  bad["b"]["c"]["range"] = {"2ms", "1s"};
  CHECK_THROWS_WITH(find_ranges(bad, "s.json"),
                    Catch::StartsWith("s.json: /b/c: a ranged value needs [low, high] in the value's unit"));
}

TEST_CASE("find_ranges: a key with / or ~ (a compute rate named freely) is one pointer token", "[unit]") {
  // Before, "a/b" became the path /a/b and with_value() looked for key "b" under "a": json's out_of_range,
  // an internal error of `fathom run --bands` on a storage scenario whose compute_rates named "decode/x".
  const nlohmann::json d = nlohmann::json::parse(R"({"rates": {"a/b": {"value": 2, "range": [1, 3]},
                                                              "c~d": {"value": "1s", "range": ["1s", "2s"]}}})");
  const auto r = find_ranges(d, "s.json");
  REQUIRE(r.size() == 2);
  CHECK(r[0].path == "/rates/a~1b");
  CHECK(r[1].path == "/rates/c~0d");
  CHECK(with_value(d, r[0], 2.6)["rates"]["a/b"]["value"] == 3);
  CHECK(with_value(d, r[1], 1.5)["rates"]["c~d"]["value"] == "1.5s");
}

TEST_CASE("latin_hypercube: each range's strata once, inside the range, repeatable by seed", "[unit]") {
  const auto r = find_ranges(doc(), "s.json");
  const auto s = latin_hypercube(r, 16, 7);
  REQUIRE(s.size() == 16);
  for (size_t j = 0; j < r.size(); ++j) {
    std::set<int> strata;
    for (const auto& sample : s) {
      CHECK(sample[j] >= r[j].low);
      CHECK(sample[j] <= r[j].high);
      strata.insert(static_cast<int>((sample[j] - r[j].low) / (r[j].high - r[j].low) * 16));
    }
    CHECK(strata.size() == 16);
  }
  CHECK(latin_hypercube(r, 16, 7) == s);
  CHECK(latin_hypercube(r, 16, 8) != s);
}

TEST_CASE("percentile: linear between order statistics", "[unit]") {
  CHECK(percentile({3, 1, 2, 4, 5}, 50) == 3);
  CHECK(percentile({1, 2, 3, 4, 5}, 5) == Approx(1.2));
  CHECK(percentile({1, 2, 3, 4, 5}, 95) == Approx(4.8));
  CHECK(percentile({7}, 95) == 7);
}
