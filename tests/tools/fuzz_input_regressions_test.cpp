// [fuzz] Every input the trace-and-claims fuzzer found (tests/fuzz_input_regressions/) and its seeds
// (tests/fuzz/input_seeds/), in the harness's format (a first line naming the reader, "trace" or "claims", then
// the file's bytes; tests/fuzz/input_fuzzer.cpp), run through the built binary as a user would: a trace through `fathom
// calibrate trace` and `fathom compare-trace`, a claims file through `fathom verify`. Each must succeed or fail cleanly
// (exit 2, one line "fathom: error: ..."), never crash, end with an internal error or hang.

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/clean_exit.h"
#include "support/cli_runner.h"

namespace fs = std::filesystem;
using fathom::test::check_ends_cleanly;
using fathom::test::run_fathom;
using fathom::test::shell_quoted;

namespace {

constexpr auto kBound = std::chrono::seconds(60);

}  // namespace

TEST_CASE(
    "fuzz input regressions: every trace and claims file the fuzzer found (and its seeds) ends in success or one clean "
    "error",
    "[fuzz]") {
  // The findings, and the harness's seeds: the same commands over the shapes of input it starts from.
  std::vector<fs::path> inputs;
  for (const char* folder : {"tests/fuzz_input_regressions", "tests/fuzz/input_seeds"}) {
    for (const auto& e : fs::directory_iterator(fs::path(FATHOM_SOURCE_DIR) / folder)) {
      if (e.is_regular_file() && e.path().filename() != "README.md") inputs.push_back(e.path());
    }
  }
  std::sort(inputs.begin(), inputs.end());
  REQUIRE(!inputs.empty());
  const fs::path dir = fs::temp_directory_path() / ("fathom_fuzz_input_regression_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string unit = (fs::path(FATHOM_SOURCE_DIR) / "scenarios/unit/deepseek-v3-decode-ep128-h800.json").string();
  for (const fs::path& input : inputs) {
    const std::string bytes = fathom::test::read_all(input.string());
    const size_t eol = bytes.find('\n');
    const std::string reader = bytes.substr(0, eol);
    const fs::path file = dir / (reader == "claims" ? "claims.json" : "trace.json");
    std::ofstream(file, std::ios::binary | std::ios::trunc) << (eol == std::string::npos ? "" : bytes.substr(eol + 1));
    const std::string f = shell_quoted(file.string());
    std::vector<std::string> commands;
    if (reader == "claims") {
      commands = {"verify " + f};
    } else {
      commands = {"calibrate trace " + f + " --json --out " + shell_quoted((dir / "calibration.json").string()),
                  "compare-trace " + f + " " + shell_quoted(unit)};
    }
    for (const std::string& command : commands) {
      const auto start = std::chrono::steady_clock::now();
      const auto r = run_fathom(command);
      INFO(input.filename().string() << ": fathom " << command << "\n" << r.err);
      check_ends_cleanly(r);
      CHECK(std::chrono::steady_clock::now() - start < kBound);
    }
  }
  fs::remove_all(dir);
}
