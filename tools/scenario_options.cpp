#include "tools/scenario_options.h"

#include "tools/build_info.h"

namespace fathom::tools {

void ScenarioOptions::add_to(CLI::App& cmd) {
  cmd.add_option("scenario", file, "Scenario JSON file")->required();
  cmd.add_option("--set", sets, "Override a scenario value: path.to.key=value (repeatable)");
  cmd.add_flag("--json", json, "Print one JSON object instead of tables");
}

ScenarioDocument ScenarioOptions::load() const { return load_scenario(file, sets, scenario_library()); }

}  // namespace fathom::tools
