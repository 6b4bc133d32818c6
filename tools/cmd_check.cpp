// `fathom check <scenario> [--set k=v]`: validate a scenario of any kind exactly as `run` (or, for a
// scenario without a kind, `memory`) would read it, without simulating; print the resolved scenario.

#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "tools/build_info.h"
#include "tools/commands.h"
#include "tools/run_kinds.h"
#include "tools/scenario_options.h"

namespace fathom::tools {

void add_check_command(CLI::App& app) {
  auto opts = std::make_shared<ScenarioOptions>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Validate a scenario of any kind (after --set overrides) without running it; print it resolved "
      "(includes merged, overrides applied) as JSON");
  cmd->add_option("scenario", opts->file, "Scenario JSON file")->required();
  cmd->add_option("--set", opts->sets, "Override a scenario value: path.to.key=value (repeatable)");
  cmd->callback([opts] {
    const ScenarioDocument doc = opts->load();
    std::string kind = "memory";
    if (const std::optional<std::string> written = doc.kind()) {
      kind = *written;
      RunOptions options;
      options.validate_only = true;
      run_kind_registry().get(kind, doc.label + ": kind").make.report(doc, options);
    } else {
      check_memory_scenario(doc);
    }
    fmt::print("{}\n", doc.root.dump(2));
    fmt::print(stderr, "fathom: check: {} is a valid {} scenario\n", doc.label, kind);
  });
}

}  // namespace fathom::tools
