#pragma once
// Test neighbour: runs the built `fathom` binary and captures its exit code, stdout and stderr.

#include <sys/wait.h>
#include <unistd.h>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace fathom::test {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs the shell command line `command` (the caller quotes) from the source dir.
inline CliResult run_command(const std::string& command) {
  static int counter = 0;
  const std::string base =
      std::string("/tmp/fathom_cli_test_") + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  const std::string cmd =
      std::string("cd '") + FATHOM_SOURCE_DIR + "' && " + command + " >" + base + ".out 2>" + base + ".err";
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_all(base + ".out");
  r.err = read_all(base + ".err");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return r;
}

// `args` is appended to the binary path as-is (the caller quotes); runs from the source dir.
inline CliResult run_fathom(const std::string& args) {
  return run_command(std::string("'") + FATHOM_BINARY + "' " + args);
}

// `s` as one POSIX shell word: single-quoted, each ' written as '\''.
inline std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// True when `text` is exactly one non-empty line (a trailing newline allowed).
inline bool is_one_line(const std::string& text) {
  if (text.empty()) return false;
  const size_t nl = text.find('\n');
  return nl == std::string::npos || nl == text.size() - 1;
}

}  // namespace fathom::test
