// The validation page's numbers (docs/validation.md, calib/validation/validation.h) with per-family
// tolerances: the fitted and held-out (leave one shape out) errors of every kernel family, the published
// DeepEP rows against the unfitted all-to-all model, and the FlashMLA bounds.

#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "calib/validation/validation.h"
#include "sim/scenario_document.h"

using namespace fathom;
using namespace fathom::calib;

namespace {

std::string source(const std::string& rel) { return std::string(FATHOM_SOURCE_DIR) + "/" + rel; }

const Validation& shipped() {
  static const Validation v = [] {
    const ScenarioDocument doc = load_scenario(source("scenarios/hw/nodes/h800-8gpu.json"));
    const hw::NodeSpec node = hw::read_node_spec(SpecReader(doc.root, doc.label, ""));
    return validate(
        {source("scenarios/calibration/h800-infersim"), source("scenarios/calibration/h800-published-kernels.csv")},
        source("scenarios/calibration/h800-published-alltoall.csv"), node);
  }();
  return v;
}

struct Tolerance {
  double median, worst, held_out_median, held_out_worst;
};

}  // namespace

TEST_CASE("validation: every family within its stated tolerance (fitted and held out by shape)", "[unit]") {
  // Today's figures in docs/validation.md, with headroom; a cost-model change that worsens a family past
  // these must say why here.
  const std::map<std::string, Tolerance> tol = {
      {"dense_gemm", {0.12, 0.60, 0.13, 0.70}},          {"grouped_gemm_contiguous", {0.04, 0.25, 0.05, 0.30}},
      {"grouped_gemm_masked", {0.08, 0.40, 0.08, 0.45}}, {"mla_decode", {0.06, 0.30, 0.07, 0.40}},
      {"attention_prefill", {0.08, 0.20, 0.20, 0.35}},   {"alltoall_normal", {0.25, 0.40, 0, 0}},
      {"alltoall_low_latency", {0.10, 0.40, 0, 0}},
  };
  const Validation& v = shipped();
  REQUIRE(v.groups.size() == tol.size());
  for (const GroupSummary& g : v.groups) {
    INFO(g.group << ": median " << g.median << " worst " << g.worst << ", held out " << g.held_out_median << " / "
                 << g.held_out_worst);
    const Tolerance& t = tol.at(g.group);
    CHECK(g.median < t.median);
    CHECK(g.worst < t.worst);
    if (g.group.rfind("alltoall", 0) == 0) {
      CHECK(g.held_out_rows == 0);  // never fitted: every row is a prediction
    } else {
      CHECK(g.held_out_rows == g.rows);  // every kernel row has a leave-one-shape-out prediction
      CHECK(g.held_out_median < t.held_out_median);
      CHECK(g.held_out_worst < t.held_out_worst);
    }
  }
}

TEST_CASE("validation: row counts, sources and the FlashMLA bounds", "[unit]") {
  const Validation& v = shipped();
  std::map<std::string, int> by_source;
  for (const ValidationRow& r : v.rows) {
    ++by_source[r.source];
    CHECK(r.measured > 0);
    CHECK(r.predicted > 0);
  }
  CHECK(by_source["gemm-data.csv"] == 110);
  CHECK(by_source["K11"] + by_source["K12"] + by_source["K13"] == 18);
  CHECK(by_source["K16"] == 4);
  CHECK(by_source["K17"] == 6);
  CHECK(by_source["K21"] + by_source["K22"] == 12);
  CHECK(by_source["K24"] + by_source["K25"] == 20);
  int bounds = 0;
  for (const std::string& n : v.notes) {
    if (n.find("K01") != std::string::npos || n.find("K02") != std::string::npos) {
      ++bounds;
      CHECK(n.find("EXCEEDS") == std::string::npos);
    }
  }
  CHECK(bounds == 4);
}
