// Layout validation: impossible layouts are one line naming the JSON path.

#include <catch2/catch.hpp>

#include "models/deployment/parallelism.h"

using namespace fathom;
using namespace fathom::models;

namespace {

void check(const std::string& json_text, int64_t total_gpus) {
  const nlohmann::json j = nlohmann::json::parse(json_text);
  const SpecReader r(j, "s.json", "parallelism");
  const ParallelismSpec p = read_parallelism(r);
  validate_parallelism(r, p, 256, 128, 61, total_gpus);
}

}  // namespace

TEST_CASE("valid DeepSeek layouts pass", "[unit]") {
  CHECK_NOTHROW(check(R"({"ep": 32, "dp": 32, "redundant_experts": 32})", 32));
  CHECK_NOTHROW(check(R"({"ep": 144, "dp": 144, "redundant_experts": 32})", 144));
  CHECK_NOTHROW(check(R"({"pp": 16, "ep": 64})", 2048));
}

TEST_CASE("impossible layouts are rejected with the JSON path", "[unit]") {
  CHECK_THROWS_WITH(check(R"({"ep": 7})", 8),
                    "s.json: parallelism.ep: 7 does not divide the 256 routed + 0 redundant experts");
  CHECK_THROWS_WITH(check(R"({"ep": 144})", 144), Catch::StartsWith("s.json: parallelism.ep: 144 does not divide"));
  CHECK_THROWS_WITH(check(R"({"tp": 3})", 3), "s.json: parallelism.tp: 3 does not divide the 128 attention heads");
  CHECK_THROWS_WITH(check(R"({"ep": 64})", 32), "s.json: parallelism.ep: 64 exceeds the 32 GPUs of one pipeline stage");
  CHECK_THROWS_WITH(check(R"({"pp": 0})", 8), "s.json: parallelism.pp: must be at least 1, got 0");
  CHECK_THROWS_WITH(check(R"({"ep": 8, "cp": 2})", 8), Catch::StartsWith("s.json: parallelism.cp: unknown key"));
}
