// `fathom eplb`: JSON keys, the README example through the CLI, and one-line errors.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/cli_runner.h"

using fathom::test::is_one_line;
using fathom::test::run_fathom;

namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = "/tmp/fathom_eplb_" + std::to_string(::getpid()) + "_" + name;
  std::ofstream(path) << text;
  return path;
}

const char* kReadmeCsv = "90,132,40,61,104,165,39,4,73,56,183,86\n20,107,104,64,19,197,187,157,172,86,16,27\n";

}  // namespace

TEST_CASE("fathom eplb --json prints the placement and the imbalance", "[unit]") {
  const std::string csv = write_temp("readme.csv", kReadmeCsv);
  const auto r = run_fathom("eplb --weights " + csv + " --replicas 16 --groups 4 --nodes 2 --gpus 8 --json");
  std::remove(csv.c_str());
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"phy2log", "log2phy", "logcnt", "imbalance_before", "imbalance_after", "gpu_tokens_before",
                          "gpu_tokens_after", "summary", "policy"}) {
    CHECK(j.contains(key));
  }
  CHECK(j["policy"] == "hierarchical");
  CHECK(j["phy2log"] == nlohmann::json::parse("[[5,6,5,7,8,4,3,4,10,9,10,2,0,1,11,1],"
                                              "[7,10,6,8,6,11,8,9,2,4,5,1,5,0,3,1]]"));
  CHECK(j["imbalance_before"].size() == 2);
  CHECK(j["summary"]["imbalance_after_max"].get<double>() <= j["summary"]["imbalance_before_max"].get<double>());
}

TEST_CASE("fathom eplb generates Zipf loads and prints a table", "[unit]") {
  const auto r =
      run_fathom("eplb --zipf 1.0 --layers 3 --experts 64 --seed 1 --replicas 80 --groups 8 --nodes 2 --gpus 16");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("imbalance before") != std::string::npos);
  const auto g =
      run_fathom("eplb --zipf 1.0 --layers 3 --experts 64 --replicas 80 --groups 6 --nodes 4 --gpus 16 --json");
  REQUIRE(g.exit_code != 0);  // 64 % 6 != 0
  const auto ok = run_fathom(
      "eplb --zipf 1.0 --layers 3 --experts 64 --replicas 80 --groups 8 --nodes 8 --gpus 16 "
      "--policy global --json");
  REQUIRE(ok.exit_code == 0);
  CHECK(nlohmann::json::parse(ok.out)["policy"] == "global");
}

TEST_CASE("fathom eplb: bad input is one line on stderr and a non-zero exit", "[unit]") {
  const std::string ragged = write_temp("ragged.csv", "1,2,3,4\n5,6,7\n");
  const std::string negative = write_temp("negative.csv", "1,2,3,4\n5,-6,7,8\n");
  const std::string good = write_temp("good.csv", "1,2,3,4\n5,6,7,8\n");
  struct Case {
    std::string args;
    std::string names;
  };
  const std::vector<Case> cases{
      {"eplb --weights /nonexistent.csv --replicas 8 --gpus 8", "/nonexistent.csv"},
      {"eplb --weights " + ragged + " --replicas 8 --gpus 8", "row 2"},
      {"eplb --weights " + negative + " --replicas 8 --gpus 8", "row 2, column 2"},
      {"eplb --weights " + good + " --replicas 15 --gpus 8", "--replicas 15: must be a multiple of --gpus 8"},
      {"eplb --weights " + good + " --replicas 8 --groups 3 --gpus 8", "--groups 3"},
      {"eplb --weights " + good + " --replicas 8 --nodes 3 --gpus 8", "--gpus 8"},
      {"eplb --weights " + good + " --gpus 8", "--replicas"},
      {"eplb --replicas 8 --gpus 8", "--zipf"},
      {"eplb --weights " + good + " --replicas 8 --gpus 8 --policy magic", "--policy"},
  };
  for (const auto& c : cases) {
    INFO(c.args);
    const auto r = run_fathom(c.args);
    CHECK(r.exit_code != 0);
    CHECK(is_one_line(r.err));
    CHECK(r.err.find(c.names) != std::string::npos);
    CHECK(r.out.empty());
  }
  std::remove(ragged.c_str());
  std::remove(negative.c_str());
  std::remove(good.c_str());
}

TEST_CASE("fathom list shows the EPLB policies", "[unit]") {
  const auto r = run_fathom("list");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("hierarchical") != std::string::npos);
  CHECK(r.out.find("global") != std::string::npos);
}
