#pragma once
// A storage run (docs/storage.md): the scenario's workload planned, its phases simulated as SimGrid flows,
// and the result as a Report (sim/report.h) — throughput, job time, bottleneck, utilisation per phase.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "models/storage/kv_read.h"
#include "models/storage/storage_scenario.h"
#include "models/storage/storage_summary.h"
#include "models/storage/symmetric_rates.h"
#include "models/storage/workloads.h"
#include "sim/provenance.h"
#include "sim/report.h"

namespace fathom::models::storage {

struct StorageRun {
  std::string name;
  std::string workload;
  hw::StorageClusterSpec cluster;
  FilesystemSpec fs;
  StorageSummary summary;
  bool has_end = true;
  std::vector<std::string> folds;
  std::vector<std::string> perturbations;  // described, one line each (none: the symmetric cluster)
  std::vector<std::string> broken_folds;   // the folds they turned off
  std::vector<std::string> notes;
  size_t simulated_flows = 0;
  std::optional<KvReadResult> kv;
  std::optional<SymmetricRate> analytic_read;
};

// The scenario's workload planned on its cluster (no simulation); InputError
// "<label>: storage.<workload>: ..." when it cannot be.
StoragePlan plan_storage_scenario(const StorageScenario& s, const std::string& label);

// Plans and simulates the scenario's workload (plan_storage_scenario's errors).
StorageRun run_storage_scenario(const StorageScenario& s, const std::string& label);

// `scenario` is the resolved scenario, embedded under "scenario".
Report storage_report(const StorageRun& r, const ProvenanceLog& log, const nlohmann::json& scenario);

}  // namespace fathom::models::storage
