// Expert-load models: Zipf skew, CSV / JSON loads, the simulated router and drift.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>

#include "models/eplb/expert_load.h"
#include "models/eplb/expert_load_router.h"
#include "sim/error.h"

using namespace fathom::models::eplb;

TEST_CASE("Zipf loads are deterministic, conserve tokens and follow the exponent", "[unit]") {
  const ZipfLoadSpec spec{3, 16, 1.2, 1000.0, 42};
  const LoadMatrix a = zipf_loads(spec);
  CHECK(a == zipf_loads(spec));
  CHECK(a != zipf_loads({3, 16, 1.2, 1000.0, 43}));
  CHECK(a[0] != a[1]);  // a different shuffle per layer
  for (const auto& row : a) {
    CHECK(std::accumulate(row.begin(), row.end(), 0.0) == Approx(1000.0));
    std::vector<double> sorted = row;
    std::sort(sorted.rbegin(), sorted.rend());
    CHECK(sorted[0] / sorted[1] == Approx(std::pow(2.0, 1.2)));
  }
  const LoadMatrix flat = zipf_loads({1, 8, 0.0, 80.0, 1});
  for (double v : flat[0]) CHECK(v == Approx(10.0));
  CHECK_THROWS_AS(zipf_loads({1, 8, -1.0, 80.0, 1}), fathom::InputError);
}

TEST_CASE("CSV loads: header, comments, ragged rows and negative loads", "[unit]") {
  const LoadMatrix m = parse_loads_csv("e0,e1,e2\n# comment\n1,2,3\n\n4, 5 ,6\n", "x.csv");
  CHECK(m == LoadMatrix{{1, 2, 3}, {4, 5, 6}});
  CHECK_THROWS_WITH(parse_loads_csv("1,2,3\n4,5\n", "x.csv"),
                    Catch::Contains("x.csv: row 2") && Catch::Contains("ragged"));
  CHECK_THROWS_WITH(parse_loads_csv("1,2\n3,-4\n", "x.csv"), Catch::Contains("row 2, column 2"));
  CHECK_THROWS_WITH(parse_loads_csv("1,2\n3,abc\n", "x.csv"), Catch::Contains("row 2"));
  CHECK_THROWS_AS(parse_loads_csv("# nothing\n", "x.csv"), fathom::InputError);
  CHECK_THROWS_WITH(read_loads_file("/nonexistent/loads.csv"), Catch::Contains("/nonexistent/loads.csv"));
}

TEST_CASE("JSON loads: array of arrays or a weights key", "[unit]") {
  CHECK(parse_loads_json("[[1,2],[3,4]]", "w.json") == LoadMatrix{{1, 2}, {3, 4}});
  CHECK(parse_loads_json("{\"weights\": [[1,2]]}", "w.json") == LoadMatrix{{1, 2}});
  // List entries by index, as every error line names them (docs/architecture.md).
  CHECK_THROWS_WITH(parse_loads_json("[[1,2],[3]]", "w.json"), "w.json: 1: 1 values, but the first row has 2");
  CHECK_THROWS_WITH(parse_loads_json("[[1,-2]]", "w.json"), "w.json: 0.1: load -2 must be >= 0");
  CHECK_THROWS_WITH(parse_loads_json("{\"weights\": [[1,2],[3,\"x\"]]}", "w.json"),
                    "w.json: weights.1.1: expected a number");
  CHECK_THROWS_AS(parse_loads_json("[[1,2]", "w.json"), fathom::InputError);
}

TEST_CASE("The simulated router sends top-k tokens inside the kept groups and nodes", "[unit]") {
  RouterSpec spec;
  spec.layers = 2;
  spec.experts = 64;
  spec.groups = 8;
  spec.topk_groups = 4;
  spec.topk = 8;
  spec.tokens = 200;
  spec.seed = 5;
  const LoadMatrix loads = router_loads(spec);
  CHECK(loads == router_loads(spec));
  for (const auto& row : loads) {
    CHECK(std::accumulate(row.begin(), row.end(), 0.0) == Approx(200.0 * 8));
    for (double v : row) CHECK(v <= 200.0);  // an expert is picked at most once per token
  }
  // One token, node-limited to 1 of 4 nodes: all 4 experts land on one node.
  spec.tokens = 1;
  spec.nodes = 4;
  spec.max_nodes = 1;
  spec.topk = 4;
  const LoadMatrix one = router_loads(spec);
  for (const auto& row : one) {
    int nodes_hit = 0;
    for (int n = 0; n < 4; ++n) {
      const double s = std::accumulate(row.begin() + n * 16, row.begin() + (n + 1) * 16, 0.0);
      nodes_hit += s > 0 ? 1 : 0;
    }
    CHECK(nodes_hit == 1);
  }
  spec.max_nodes = 3;  // 4 % 3 != 0
  CHECK_THROWS_AS(router_loads(spec), fathom::InputError);
}

TEST_CASE("Skewed popularity gives skewed loads, and EPLB keeps up under drift", "[unit]") {
  DriftSpec spec;
  spec.router.layers = 2;
  spec.router.experts = 64;
  spec.router.tokens = 256;
  spec.router.popularity_sigma = 1.0;
  spec.router.seed = 11;
  spec.duration_minutes = 20;
  spec.step_minutes = 2;
  spec.rebalance_minutes = 10;
  spec.drift_sigma = 0.2;
  const EplbConfig config{80, 8, 2, 16};
  const std::vector<DriftStep> steps = simulate_drift(spec, config);
  REQUIRE(steps.size() == 11);
  int rebalances = 0;
  for (const auto& s : steps) {
    rebalances += s.rebalanced ? 1 : 0;
    CHECK(s.fresh.mean <= s.no_eplb.mean);
    CHECK(s.stale.mean >= 1.0);
  }
  CHECK(rebalances == 3);  // minutes 0, 10, 20
  CHECK(steps[0].stale.mean == steps[0].fresh.mean);
  CHECK(steps[5].rebalanced);
}
