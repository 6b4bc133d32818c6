#pragma once
// The result of a storage run as JSON (the keys of docs/storage.md) and as readable text.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hw/storage_spec.h"
#include "models/storage/filesystem_spec.h"
#include "models/storage/kv_read.h"
#include "models/storage/storage_summary.h"
#include "models/storage/symmetric_rates.h"

namespace fathom::tools {

struct StorageReport {
  std::string name;
  std::string workload;
  hw::StorageClusterSpec cluster;
  models::storage::FilesystemSpec fs;
  models::storage::StorageSummary summary;
  bool has_end = true;
  std::vector<std::string> folds;
  std::vector<std::string> notes;
  size_t simulated_flows = 0;
  std::optional<models::storage::KvReadResult> kv;
  std::optional<models::storage::SymmetricRate> analytic_read;
};

nlohmann::json storage_report_json(const StorageReport& r);
std::string storage_report_text(const StorageReport& r);

}  // namespace fathom::tools
