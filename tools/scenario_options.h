#pragma once
// Options shared by the subcommands that take a scenario: the file, --set overrides and --json.

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "sim/scenario_document.h"

namespace fathom::tools {

struct ScenarioOptions {
  std::string file;
  std::vector<std::string> sets;
  bool json = false;

  void add_to(CLI::App& cmd);
  ScenarioDocument load() const;
};

}  // namespace fathom::tools
