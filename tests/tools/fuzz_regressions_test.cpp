// [fuzz] Every input the fuzzer found (tests/fuzz_regressions/, in the harness's format: the scenario's
// bytes, then optionally a NUL byte and --set overrides one per line; tests/fuzz/scenario_fuzzer.cpp) run
// through the built binary as a user would: `fathom run` and `fathom memory`, each must succeed or fail
// cleanly (exit 2, one line "fathom: error: ..."), never crash, end with an internal error or hang.

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

// The harness's layout: <dir>/{hw,models,calibration} and <dir>/s/{...} link to scenarios/.
fs::path make_scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("fathom_fuzz_regression_" + std::to_string(::getpid()) + name);
  fs::remove_all(dir);
  fs::create_directories(dir / "s");
  for (const fs::path& d : {dir, dir / "s"}) {
    for (const char* sub : {"hw", "models", "calibration"}) {
      fs::create_directory_symlink(fs::path(FATHOM_SOURCE_DIR) / "scenarios" / sub, d / sub);
    }
  }
  return dir;
}

}  // namespace

TEST_CASE("fuzz regressions: every input the fuzzer found ends in success or one clean error line", "[fuzz]") {
  const fs::path corpus = fs::path(FATHOM_SOURCE_DIR) / "tests" / "fuzz_regressions";
  std::vector<fs::path> inputs;
  for (const auto& e : fs::directory_iterator(corpus)) {
    if (e.is_regular_file() && e.path().filename() != "README.md") inputs.push_back(e.path());
  }
  std::sort(inputs.begin(), inputs.end());
  REQUIRE(!inputs.empty());
  for (const fs::path& input : inputs) {
    const std::string bytes = fathom::test::read_all(input.string());
    const size_t nul = bytes.find('\0');
    std::string sets;
    if (nul != std::string::npos) {
      const std::string rest = bytes.substr(nul + 1);
      size_t start = 0;
      for (int n = 0; start <= rest.size() && n < 4;) {
        const size_t end = std::min(rest.find_first_of(std::string("\n\0", 2), start), rest.size());
        if (end > start) {
          sets += ' ';
          sets += shell_quoted("--set=" + rest.substr(start, end - start));
          ++n;
        }
        start = end + 1;
      }
    }
    const fs::path dir = make_scratch(input.filename().string());
    const fs::path file = dir / "s" / "fuzz.json";
    std::ofstream(file, std::ios::binary) << bytes.substr(0, nul);
    for (const char* command : {"run", "memory"}) {
      const auto start = std::chrono::steady_clock::now();
      const auto r = run_fathom(std::string(command) + " " + shell_quoted(file.string()) + " --json" + sets);
      INFO(input.filename().string() << ": fathom " << command << "\n" << r.err);
      check_ends_cleanly(r);
      CHECK(std::chrono::steady_clock::now() - start < kBound);
    }
    fs::remove_all(dir);
  }
}
