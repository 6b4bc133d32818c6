#pragma once
// Each subcommand of `fathom` lives in its own tools/cmd_<name>.cpp and registers itself on the
// CLI11 app here. Handlers throw fathom::InputError for bad input; main() prints it as one line.

#include <CLI/CLI.hpp>

namespace fathom::tools {

void add_list_command(CLI::App& app);
void add_memory_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_check_command(CLI::App& app);
void add_model_command(CLI::App& app);
void add_calibrate_command(CLI::App& app);
void add_validate_subcommand(CLI::App& calibrate);  // `fathom calibrate validate` (tools/cmd_validate.cpp)
void add_trace_subcommand(CLI::App& calibrate);     // `fathom calibrate trace` (tools/cmd_calibrate_trace.cpp)
void add_compare_trace_command(CLI::App& app);      // `fathom compare-trace` (tools/cmd_compare_trace.cpp)
void add_eplb_command(CLI::App& app);
void add_compare_command(CLI::App& app);
void add_verify_command(CLI::App& app);  // tools/cmd_verify.cpp
void add_plan_command(CLI::App& app);    // tools/cmd_plan.cpp

}  // namespace fathom::tools
