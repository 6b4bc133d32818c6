// fathom: the command-line entry point and composition root.

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "sim/error.h"
#include "tools/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"fathom: simulator and capacity planner for Mixture-of-Experts training and serving on GPU clusters"};
  app.require_subcommand(1);
  fathom::tools::add_list_command(app);
  fathom::tools::add_memory_command(app);
  fathom::tools::add_run_command(app);
  fathom::tools::add_model_command(app);
  fathom::tools::add_calibrate_command(app);
  fathom::tools::add_eplb_command(app);
  fathom::tools::add_compare_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const fathom::InputError& e) {
    fmt::print(stderr, "fathom: error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "fathom: internal error: {}\n", e.what());
    return 3;
  }
  return 0;
}
