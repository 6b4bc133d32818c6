// `fathom verify <claims.json> [--json] [--report DIR] [--bands [N]] [--seed S] [--threads T]`: run the
// scenario of every claim and say whether the simulation supports or contradicts it (docs/claims.md).

#include <fmt/format.h>

#include <memory>
#include <string>

#include "reports/formats.h"
#include "reports/report_dir.h"
#include "sim/claims.h"
#include "sim/claims_report.h"
#include "sim/error.h"
#include "tools/build_info.h"
#include "tools/claim_runner.h"
#include "tools/commands.h"

namespace fathom::tools {
namespace {

struct VerifyCommandOptions {
  std::string file;
  bool json = false;
  std::string report_dir;
  VerifyOptions run;
};

}  // namespace

void add_verify_command(CLI::App& app) {
  auto o = std::make_shared<VerifyCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "verify", "Check published claims against simulations: supported, contradicted or not checkable, per claim");
  cmd->add_option("claims", o->file, "Claims JSON file (docs/claims.md)")->required();
  cmd->add_flag("--json", o->json, "Print one JSON object");
  cmd->add_option("--report", o->report_dir,
                  "Write report.json, claims.csv, summary.md and a self-contained report.html into DIR");
  cmd->add_option("--bands", o->run.bands,
                  "Judge each claim against the p5-p95 band of its metric over the scenario's ranged values (N "
                  "samples, default 64)")
      ->expected(0, 1)
      ->default_str("64");
  cmd->add_option("--seed", o->run.seed, "Seed of the --bands sampling")->capture_default_str();
  cmd->add_option("--threads", o->run.threads, "Threads for --bands (0: every core)")->capture_default_str();
  cmd->callback([o] {
    const Report report = verify_claims_report(o->file, o->run);
    fmt::print("{}", reports::render(report, o->json ? "json" : "text"));
    if (!o->report_dir.empty()) reports::write_report_dir(report, o->report_dir);
  });
}

}  // namespace fathom::tools
