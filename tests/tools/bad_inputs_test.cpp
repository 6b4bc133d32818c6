// The corpus of bad inputs (tests/bad_inputs/manifest.txt): every malformed scenario, calibration
// file, HF config, --set text and flag is refused by the built binary the way docs/architecture.md
// (Errors) promises: exit 2, within a time bound, exactly one line on stderr naming the JSON path or
// flag at fault, nothing on stdout; never a crash, a hang, an internal error or a stack trace.

#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "support/cli_runner.h"

namespace {

struct BadInput {
  int line = 0;
  std::string name;
  std::string args;    // shell words, run from the repository root
  std::string needle;  // text the error line must contain
};

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  const size_t e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::vector<BadInput> read_manifest(const std::string& file) {
  std::ifstream in(file);
  std::vector<BadInput> cases;
  std::string text;
  int number = 0;
  while (std::getline(in, text)) {
    ++number;
    if (trim(text).empty() || trim(text).front() == '#') continue;
    const size_t a = text.find(" | ");
    const size_t b = a == std::string::npos ? std::string::npos : text.find(" | ", a + 3);
    if (b == std::string::npos) FAIL("manifest.txt line " << number << ": expected <name> | <args> | <needle>");
    cases.push_back({number, trim(text.substr(0, a)), trim(text.substr(a + 3, b - a - 3)), trim(text.substr(b + 3))});
  }
  return cases;
}

struct Outcome {
  int status = -1;  // exit status of the shell: fathom's, or 124 when the time bound killed it
  std::string out, err;
  double seconds = 0;
};

constexpr int kTimeBoundSeconds = 10;

Outcome run_case(const std::string& args, int index) {
  const std::string base = "/tmp/fathom_bad_input_" + std::to_string(::getpid()) + "_" + std::to_string(index);
  const std::string cmd = std::string("cd '") + FATHOM_SOURCE_DIR + "' && timeout -k 2 " +
                          std::to_string(kTimeBoundSeconds) + " '" + FATHOM_BINARY + "' " + args + " >" + base +
                          ".out 2>" + base + ".err </dev/null";
  const auto start = std::chrono::steady_clock::now();
  const int status = std::system(cmd.c_str());
  Outcome o;
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  o.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  o.out = fathom::test::read_all(base + ".out");
  o.err = fathom::test::read_all(base + ".err");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return o;
}

}  // namespace

TEST_CASE("bad inputs: every case of tests/bad_inputs/manifest.txt is refused with one line naming the fault",
          "[smoke]") {
  const std::vector<BadInput> cases = read_manifest(std::string(FATHOM_SOURCE_DIR) + "/tests/bad_inputs/manifest.txt");
  REQUIRE(cases.size() >= 120);
  std::set<std::string> names;
  for (size_t i = 0; i < cases.size(); ++i) {
    const BadInput& c = cases[i];
    INFO("manifest line " << c.line << ": " << c.name << "\n  fathom " << c.args);
    CHECK(names.insert(c.name).second);
    const Outcome o = run_case(c.args, static_cast<int>(i));
    INFO("exit " << o.status << " after " << o.seconds << " s\n  stderr: " << o.err << "  stdout: " << o.out);
    CHECK(o.status == 2);
    CHECK(o.seconds < kTimeBoundSeconds);
    CHECK(fathom::test::is_one_line(o.err));
    CHECK(o.err.rfind("fathom: error: ", 0) == 0);
    CHECK(o.err.find(c.needle) != std::string::npos);
    CHECK(o.err.size() < 600);  // values pasted into the line are cut short
    CHECK(o.out.empty());
  }
}
