// fathom: the command-line entry point and composition root.
//
// Contract (docs/architecture.md, Errors): every failure is one line on stderr, "fathom: error: ...",
// naming the file and JSON path or the flag at fault; exit 2 for bad input (a scenario, a file, a
// flag), 3 for an internal error. --help and --version print to stdout and exit 0.

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <new>
#include <string>

#include "sim/error.h"
#include "sim/spec_reader.h"
#include "sim/strict_json.h"
#include "tools/build_info.h"
#include "tools/commands.h"

namespace {

// An error message on one line, whatever the text it quotes.
std::string one_line(const std::string& text) { return fathom::error_line(text); }

bool is_number(const std::string& s) {
  if (s.empty()) return false;
  size_t used = 0;
  try {
    (void)std::stod(s, &used);
  } catch (const std::exception&) {
    return false;
  }
  return used == s.size();
}

CLI::App* find_subcommand(CLI::App* app, const std::string& name) {
  for (CLI::App* sub : app->get_subcommands([](CLI::App*) { return true; })) {
    if (sub->check_name(name)) return sub;
  }
  return nullptr;
}

std::vector<std::string> subcommand_names(CLI::App* app) {
  std::vector<std::string> names;
  for (CLI::App* sub : app->get_subcommands([](CLI::App*) { return true; })) names.push_back(sub->get_name());
  return names;
}

std::vector<std::string> flag_names(CLI::App* app) {
  std::vector<std::string> names;
  for (const CLI::Option* opt : app->get_options()) {
    for (const std::string& l : opt->get_lnames()) names.push_back(fmt::format("--{}", l));
    for (const std::string& s : opt->get_snames()) names.push_back(fmt::format("-{}", s));
  }
  return names;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// CLI11's error as one line naming the command and the flag or argument at fault. CLI11 checks
// required arguments before it reports unknown ones, so the command line is walked here first: an
// unknown command or flag is the likelier fault and is named, with its closest spelling.
std::string describe_parse_error(CLI::App& app, int argc, char** argv, const CLI::ParseError& e) {
  CLI::App* current = &app;
  std::string chain = "fathom";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    if (arg.size() > 1 && arg[0] == '-' && !is_number(arg)) {
      const std::string name = arg.substr(0, arg.find('='));
      const CLI::Option* opt = current->get_option_no_throw(name);
      if (opt == nullptr) {
        const std::string near = fathom::closest_spelling(name, flag_names(current));
        return fmt::format("{} {}: unknown flag{} (see {} --help)", chain, one_line(name),
                           near.empty() ? "" : fmt::format("; did you mean {}?", near), chain);
      }
      if (opt->get_items_expected_min() > 0 && arg.find('=') == std::string::npos) ++i;  // its value
      continue;
    }
    if (CLI::App* sub = find_subcommand(current, arg)) {
      current = sub;
      chain += " " + arg;
      continue;
    }
    const bool takes_arguments =
        !current->get_options([](const CLI::Option* o) { return o->get_positional(); }).empty();
    if (!takes_arguments && !subcommand_names(current).empty()) {
      const std::vector<std::string> names = subcommand_names(current);
      const std::string near = fathom::closest_spelling(arg, names);
      return fmt::format("{} {}: unknown command{}; the commands are {} (see {} --help)", chain, one_line(arg),
                         near.empty() ? "" : fmt::format(" (did you mean {}?)", near), join(names), chain);
    }
  }
  if (current == &app && dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
    return fmt::format("fathom: a command is required, one of {} (see fathom --help)", join(subcommand_names(&app)));
  }
  return fmt::format("{}: {} (see {} --help)", chain, one_line(e.what()), chain);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"fathom: simulator and capacity planner for Mixture-of-Experts training and serving on GPU clusters"};
  app.set_version_flag("--version", fathom::tools::version_line(), "Print the version and git commit, then exit");
  app.require_subcommand(1);
  fathom::tools::add_list_command(app);
  fathom::tools::add_memory_command(app);
  fathom::tools::add_run_command(app);
  fathom::tools::add_check_command(app);
  fathom::tools::add_model_command(app);
  fathom::tools::add_calibrate_command(app);
  fathom::tools::add_eplb_command(app);
  fathom::tools::add_compare_command(app);
  fathom::tools::add_compare_trace_command(app);
  fathom::tools::add_verify_command(app);
  fathom::tools::add_plan_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (dynamic_cast<const CLI::CallForVersion*>(&e) != nullptr) {
      fmt::print("{}\n", fathom::tools::version_line());
      return 0;
    }
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    fmt::print(stderr, "fathom: error: {}\n", describe_parse_error(app, argc, argv, e));
    return 2;
  } catch (const fathom::InputError& e) {
    fmt::print(stderr, "fathom: error: {}\n", one_line(e.what()));
    return 2;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "fathom: internal error: out of memory\n");
    return 3;
  } catch (const std::exception& e) {
    fmt::print(stderr, "fathom: internal error: {}\n", one_line(e.what()));
    return 3;
  }
  return 0;
}
