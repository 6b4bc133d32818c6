// `fathom list`: every registered implementation, one line each.

#include <fmt/format.h>

#include "tools/commands.h"
#include "tools/registries.h"

namespace fathom::tools {

void add_list_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("list", "List registered implementations (kind, name, description)");
  cmd->callback([] {
    for (const auto& line : all_registries()) {
      fmt::print("{:<16} {:<26} {}\n", line.kind, line.name, line.description);
    }
  });
}

}  // namespace fathom::tools
