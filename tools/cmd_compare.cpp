// `fathom compare A.json B.json`: two scenarios' headline metrics side by side with B / A
// (sim/report_compare.h), for kinds that build a Report.

#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "reports/formats.h"
#include "reports/report_dir.h"
#include "sim/report_compare.h"
#include "tools/build_info.h"
#include "tools/commands.h"
#include "tools/run_kinds.h"

namespace fathom::tools {
namespace {

struct CompareOptions {
  std::string a, b;
  std::vector<std::string> sets, sets_a, sets_b;
  bool json = false;
  std::string report_dir;
};

Report report_of(const ScenarioDocument& doc) {
  const std::optional<std::string> name = doc.kind();
  if (!name) throw InputError(fmt::format("{}: kind: required key is missing", doc.label));
  const RunKind& kind = run_kind_registry().get(*name, doc.label + ": kind").make;
  if (!kind.report) {
    throw InputError(
        fmt::format("{}: kind: compare needs a kind that builds a report (unit, serving, training)", doc.label));
  }
  return kind.report(doc, RunOptions{});
}

ScenarioDocument load_side(const std::string& file, std::vector<std::string> sets,
                           const std::vector<std::string>& own) {
  sets.insert(sets.end(), own.begin(), own.end());
  return load_scenario(file, sets, scenario_library());
}

}  // namespace

Report compare_report_of(const ScenarioDocument& a_doc, const ScenarioDocument& b_doc, const std::string& name_a,
                         const std::string& name_b) {
  const Report a = report_of(a_doc);
  const Report b = report_of(b_doc);
  if (a.kind != b.kind) {
    throw InputError(fmt::format("compare: {} is a {} run and {} a {} run; compare runs of one kind", name_a, a.kind,
                                 name_b, b.kind));
  }
  return compare_reports(a, b, name_a, name_b);
}

void add_compare_command(CLI::App& app) {
  auto o = std::make_shared<CompareOptions>();
  CLI::App* cmd = app.add_subcommand("compare", "Two scenarios' headline metrics side by side, with B / A");
  cmd->add_option("a", o->a, "Scenario A")->required();
  cmd->add_option("b", o->b, "Scenario B")->required();
  cmd->add_option("--set", o->sets, "Override a value in both: path.to.key=value (repeatable)");
  cmd->add_option("--set-a", o->sets_a, "Override a value in A only (repeatable)");
  cmd->add_option("--set-b", o->sets_b, "Override a value in B only (repeatable)");
  cmd->add_flag("--json", o->json, "Print one JSON object");
  cmd->add_option("--report", o->report_dir, "Write the comparison's report files into DIR");
  cmd->callback([o] {
    const ScenarioDocument a = load_side(o->a, o->sets, o->sets_a);
    const ScenarioDocument b = load_side(o->b, o->sets, o->sets_b);
    const Report c = compare_report_of(a, b, o->a, o->b);
    fmt::print("{}", reports::render(c, o->json ? "json" : "text"));
    if (!o->report_dir.empty()) reports::write_report_dir(c, o->report_dir);
  });
}

}  // namespace fathom::tools
