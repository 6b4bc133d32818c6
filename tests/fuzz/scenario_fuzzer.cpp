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

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "models/serving/serving_inputs.h"
#include "models/storage/storage_scenario.h"
#include "models/training/training_budget.h"
#include "models/training/training_run.h"
#include "sim/error.h"
#include "sim/scenario_document.h"
#include "tools/commands.h"

namespace {

namespace fs = std::filesystem;
using namespace fathom;

constexpr double kCheapRunSeconds = 0.05;  // estimated work below which a run is part of an execution
constexpr size_t kMaxOverrides = 4;

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

void check(const std::vector<std::string>& sets) {
  const ScenarioDocument doc = load_scenario(scenario_file, sets);
  const nlohmann::json* kind = doc.root.contains("kind") ? &doc.root["kind"] : nullptr;
  const std::string k = kind && kind->is_string() ? kind->get<std::string>() : "";
  if (k == "serving") {
    ProvenanceLog log;
    const models::serving::ServingInputs in = models::serving::read_serving_inputs(doc, &log);
    const double windows = 86400.0 / in.spec.autoscaling.window.value();
    if (windows <= 4 && in.spec.simulated_seconds_per_window.value() <= 5) run_cli("run", sets);
  } else if (k == "training") {
    ProvenanceLog log;
    const models::training::TrainingScenario s = models::training::read_training_scenario(doc, log);
    const sim::WorkEstimate w = models::training::estimate_training_work(
        {.fidelity = s.fidelity,
         .schedule = s.spec.schedule,
         .pp = s.layout.pp,
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
  try {
    check(sets);
  } catch (const InputError&) {
    // A clean refusal: the CLI prints it as one line and exits 2.
  } catch (const CLI::ParseError&) {
    // A command-line error (an override CLI11 will not take as a value): main() reports it, not a crash.
  }
  return 0;
}
