// libFuzzer harness over scenario loading, validation and (where cheap) a run, for every scenario kind
// (docs/architecture.md, "Robustness"). Built with -DFATHOM_FUZZ=ON (clang, ASan + UBSan); run with
// tools/fuzz.sh.
//
// Input: the scenario file's bytes, optionally followed by a NUL byte and up to four `--set` overrides,
// one per line (a NUL also ends one: an argument cannot contain it). The file is written where a shipped scenario would
// sit: a scratch folder whose hw/, models/ and calibration/ (and ../hw/ ...) link to scenarios/, so both "hw/..." and
// "../hw/..." includes resolve as they do for scenarios/ and scenarios/unit/.
//
// Contract (what counts as a finding): every input either succeeds or throws fathom::InputError (the CLI's
// one-line error, exit 2). Any other exception escapes and aborts; a crash, a sanitizer report, a leak or a
// timeout is a finding too.
//
// Per kind, after load_scenario (includes, --set):
//  - serving: read_serving_inputs (strict reading and validation); the day runs through `fathom run --json`
//    only when it is tiny (at most 4 windows of at most 5 simulated seconds): a shipped day takes ~0.5 s;
//  - training: read_training_scenario (which includes the resource guard); `fathom run --json` when the
//    step's estimated work (training_budget.h) is under 50 ms;
//  - storage: read_storage_scenario; `fathom run --json` when the flows' estimated work is under 50 ms;
//  - unit: `fathom run --json` and `fathom memory --json`;
//  - anything else (no kind: a memory scenario, or an unknown kind): `fathom memory --json` and
//    `fathom run --json` (which refuses the kind).
// Before that, every input goes through `fathom check`'s validation (each kind's validate-only path, or the
// memory scenario's check; without its one stderr line); after it, a serving or training scenario with a "plan"
// section goes through `fathom plan`'s search (tools::plan_report_of, no --bands), capped (capped_plan): a space
// of more than kMaxPlanItems configurations (training) or phase options (serving) is searched over the ends of
// its lists instead, and no plan checks its best configuration (serving: the window simulation, 1-3 s under the
// sanitizers even for a one-window day; training: an event-level step, plan.check_top; `run` covers both). Each stage
// catches its own InputError, so a scenario `run` refuses still reaches `check` and `plan`.

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "models/plan/plan_spec.h"
#include "models/serving/serving_inputs.h"
#include "models/storage/storage_scenario.h"
#include "models/training/training_budget.h"
#include "models/training/training_run.h"
#include "sim/error.h"
#include "sim/scenario_document.h"
#include "tools/commands.h"
#include "tools/plan_mpi.h"
#include "tools/plan_report.h"
#include "tools/run_kinds.h"

namespace {

namespace fs = std::filesystem;
using namespace fathom;

constexpr double kCheapRunSeconds = 0.05;  // estimated work below which a run is part of an execution
constexpr size_t kMaxOverrides = 4;
// Training configurations or serving phase options one plan may price in an execution: ~100 ms each for
// DeepSeek-V3 under the sanitizers (measured, docs/architecture.md "Fuzzing").
constexpr int64_t kMaxPlanItems = 4;

fs::path scenario_file;  // set once by LLVMFuzzerInitialize

void link_scenario_folders(const fs::path& dir) {
  const fs::path scenarios = fs::path(FATHOM_SOURCE_DIR) / "scenarios";
  for (const char* sub : {"hw", "models", "calibration"}) fs::create_directory_symlink(scenarios / sub, dir / sub);
}

// `fathom <command> <file> --json [--set=...]` in-process, as tools/main.cpp parses it.
void run_cli(const std::string& command, const std::vector<std::string>& sets) {
  CLI::App app{"fathom (fuzz)"};
  app.require_subcommand(1);
  tools::add_run_command(app);
  tools::add_memory_command(app);
  std::vector<std::string> args = {"fathom", command, scenario_file.string(), "--json"};
  for (const std::string& s : sets) args.push_back("--set=" + s);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  app.parse(static_cast<int>(argv.size()), argv.data());
}

// What `fathom check` validates (tools/cmd_check.cpp), without its line on stderr.
void check(const std::vector<std::string>& sets) {
  const ScenarioDocument doc = load_scenario(scenario_file, sets);
  if (const std::optional<std::string> kind = doc.kind()) {
    tools::RunOptions options;
    options.validate_only = true;
    tools::run_kind_registry().get(*kind, doc.label + ": kind").make.report(doc, options);
  } else {
    tools::check_memory_scenario(doc);
  }
}

// A serving day small enough to simulate in an execution: at most 4 windows of at most 5 simulated seconds.
bool tiny_day(const models::serving::ServingInputs& in) {
  return 86400.0 / in.spec.autoscaling.window.value() <= 4 && in.spec.simulated_seconds_per_window.value() <= 5;
}

// At most two entries of `v` (its first and last) when `*room` allows doubling the space, else its first;
// `*room` is divided by the entries kept.
template <class T>
nlohmann::json ends(const std::vector<T>& v, int64_t* room) {
  nlohmann::json out = nlohmann::json::array();
  if (v.empty()) return out;
  out.push_back(v.front());
  if (v.size() > 1 && *room >= 2) {
    out.push_back(v.back());
    *room /= 2;
  }
  return out;
}

// Leaves doc's plan section as written when its space holds at most kMaxPlanItems items and it checks no best
// configuration (serving's check_best, training's check_top), else rewrites it to the ends of each list as read (so the
// rewritten section is valid): the search, its report and its Pareto fronts still run, over a few items.
void capped_plan(ScenarioDocument& doc, const std::string& kind) {
  namespace mp = models::plan;
  const SpecReader plan(doc.root["plan"], doc.label, "plan");
  nlohmann::json capped = nlohmann::json::object();
  int64_t room = kMaxPlanItems;
  if (kind == "serving") {
    const mp::ServingPlanSpec s = mp::read_serving_plan(plan);
    const int64_t types = s.node_types.empty() ? 7 : std::ssize(s.node_types);  // scenarios/hw/nodes holds 7
    const int64_t mtps = s.mtp.empty() ? 2 : std::ssize(s.mtp);
    const int64_t per_context =
        std::ssize(s.prefill_nodes_per_unit) * std::ssize(s.redundant_experts) +
        std::ssize(s.decode_nodes_per_unit) * std::ssize(s.redundant_experts) * std::ssize(s.decode_batch_limits);
    if (types * mtps * per_context <= kMaxPlanItems && !s.check_best) return;
    capped["objective"] = s.objective;
    capped["top"] = s.top;
    capped["check_best"] = false;
    room /= 2;  // prefill and decode
    if (!s.node_types.empty()) {
      capped["node_types"] = nlohmann::json::array({doc.root["plan"]["node_types"].front()});
    } else {
      room = 1;  // every library node type: seven contexts, 14 pricings (each cheap: the rules refuse most)
    }
    capped["mtp"] = nlohmann::json::array({!s.mtp.empty() && s.mtp.front()});  // one context per node type
    capped["prefill_nodes_per_unit"] = ends(s.prefill_nodes_per_unit, &room);
    capped["decode_nodes_per_unit"] = ends(s.decode_nodes_per_unit, &room);
    capped["redundant_experts"] = ends(s.redundant_experts, &room);
    capped["decode_batch_limits"] = ends(s.decode_batch_limits, &room);
  } else {
    const int64_t nodes = doc.root.contains("cluster") && doc.root["cluster"].is_object()
                              ? SpecReader(doc.root["cluster"], doc.label, "cluster").integer("nodes")
                              : 1;
    const mp::TrainingPlanSpec s = mp::read_training_plan(plan, nodes);
    const bool interleaved = std::find(s.schedules.begin(), s.schedules.end(), "interleaved_1f1b") != s.schedules.end();
    const int64_t schedules =
        std::ssize(s.schedules) - interleaved + (interleaved ? std::max<int64_t>(1, std::ssize(s.virtual_stages)) : 0);
    const int64_t items = std::ssize(s.cluster_nodes) * std::ssize(s.pp) * std::max<int64_t>(1, std::ssize(s.tp)) *
                          std::ssize(s.ep) * schedules * std::ssize(s.micro_batch_sequences);
    if (items <= kMaxPlanItems && s.check_top == 0) return;
    capped["objective"] = s.objective;
    capped["top"] = s.top;
    capped["check_top"] = 0;
    capped["cluster_nodes"] = nlohmann::json::array({s.cluster_nodes.back()});
    capped["pp"] = ends(s.pp, &room);
    capped["ep"] = ends(s.ep, &room);
    if (!s.tp.empty()) capped["tp"] = ends(s.tp, &room);
    if (!s.virtual_stages.empty()) capped["virtual_stages"] = nlohmann::json::array({s.virtual_stages.back()});
    capped["schedules"] = ends(s.schedules, &room);
    capped["micro_batch_sequences"] = nlohmann::json::array({s.micro_batch_sequences.front()});
  }
  doc.root["plan"] = capped;
}

// `fathom plan` (no --bands) on the scenario, its space capped (capped_plan).
void plan(const std::vector<std::string>& sets) {
  static const tools::PlanRanks ranks;  // one rank: the harness is not started by mpirun
  ScenarioDocument doc = load_scenario(scenario_file, sets);
  if (!doc.root.contains("plan")) return;  // the default space: thousands of items
  const std::string kind = doc.kind().value_or("");
  if (doc.root["plan"].is_object() && (kind == "serving" || kind == "training")) {
    capped_plan(doc, kind);
  }
  tools::plan_report_of(doc, tools::PlanOptions{}, ranks);
}

void run(const std::vector<std::string>& sets) {
  const ScenarioDocument doc = load_scenario(scenario_file, sets);
  const nlohmann::json* kind = doc.root.contains("kind") ? &doc.root["kind"] : nullptr;
  const std::string k = kind && kind->is_string() ? kind->get<std::string>() : "";
  if (k == "serving") {
    ProvenanceLog log;
    const models::serving::ServingInputs in = models::serving::read_serving_inputs(doc, &log);
    if (tiny_day(in)) run_cli("run", sets);
  } else if (k == "training") {
    ProvenanceLog log;
    const models::training::TrainingScenario s = models::training::read_training_scenario(doc, log);
    const sim::WorkEstimate w = models::training::estimate_training_work(
        {.fidelity = s.fidelity,
         .schedule = s.spec.schedule,
         .pp = s.layout.pp,
         .virtual_stages = s.spec.virtual_stages,
         .micro_batches = s.spec.micro_batches,
         .layers = s.model.arch.layers,
         .ramp_segments = s.spec.batch_ramp ? s.spec.batch_ramp->segments : 0});
    if (w.seconds < kCheapRunSeconds) run_cli("run", sets);
  } else if (k == "storage") {
    ProvenanceLog log;
    const models::storage::StorageScenario s = models::storage::read_storage_scenario(doc, log);
    if (models::storage::estimate_storage_work(s.cluster, s.fs, s.workload).seconds < kCheapRunSeconds) {
      run_cli("run", sets);
    }
  } else if (k == "unit") {
    run_cli("run", sets);
    run_cli("memory", sets);
  } else {
    run_cli("memory", sets);
    run_cli("run", sets);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* base = fs::is_directory("/dev/shm") ? "/dev/shm/fathom_fuzz_XXXXXX" : "/tmp/fathom_fuzz_XXXXXX";
  std::string dir = base;
  if (!mkdtemp(dir.data())) return 1;
  link_scenario_folders(dir);
  fs::create_directory(fs::path(dir) / "s");
  link_scenario_folders(fs::path(dir) / "s");
  scenario_file = fs::path(dir) / "s" / "fuzz.json";
  // Reports go to stdout; libFuzzer writes to stderr.
  const int null_fd = open("/dev/null", O_WRONLY);
  if (null_fd >= 0) dup2(null_fd, STDOUT_FILENO);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  std::vector<std::string> sets;
  if (nul != std::string::npos) {
    std::string rest = input.substr(nul + 1);
    size_t start = 0;
    while (start <= rest.size() && sets.size() < kMaxOverrides) {
      const size_t end = std::min(rest.find_first_of(std::string("\n\0", 2), start), rest.size());
      if (end > start) sets.push_back(rest.substr(start, end - start));
      start = end + 1;
    }
  }
  {
    std::ofstream out(scenario_file, std::ios::binary | std::ios::trunc);
    out << input.substr(0, nul);
  }
  // A clean refusal (InputError: the CLI prints it as one line and exits 2) or a command-line error (an override
  // CLI11 will not take as a value: main() reports it) ends a stage, not the execution.
  const auto stage = [&sets](void (*f)(const std::vector<std::string>&)) {
    try {
      f(sets);
    } catch (const InputError&) {
    } catch (const CLI::ParseError&) {
    }
  };
  stage(&check);
  stage(&run);
  stage(&plan);
  return 0;
}
