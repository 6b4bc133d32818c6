#pragma once
// The fuzz-regression runners' check of one fathom command: it succeeded, or it failed cleanly with exit 2 and
// one line "fathom: error: ..." on stderr (never a crash, an internal error or several lines).

#include <catch2/catch.hpp>

#include "support/cli_runner.h"

namespace fathom::test {

inline void check_ends_cleanly(const CliResult& r) {
  CHECK((r.exit_code == 0 || r.exit_code == 2));
  if (r.exit_code != 0) {
    CHECK(is_one_line(r.err));
    CHECK(r.err.rfind("fathom: error: ", 0) == 0);
  }
}

}  // namespace fathom::test
