#pragma once
// A scenario of kind "storage" (docs/storage.md): the cluster, the file system and the workload, read
// strictly, and what its flow simulation will cost before any flow is built (sim/resource_guard.h).
//
// Flows per phase: reads k x m x D, writes k x m x D x R, where k and m are the simulated clients and
// storage nodes (storage.fold), D the disks per node (1 when a node's SSDs are aggregated; with per_chain
// the chain table's m x SSDs chains replace m x D) and R the replication. Graysort builds two phases.
// Per flow, measured on the shipped peak_read scenario at folds up to 500 x 180 (2-core CI machine) and
// rounded up: 4 KB (the flow, its SimGrid activity and the link shares), and a max-min cost that grows with
// the square of the flows in flight, all of which start together: 2 us x flows + 50 ns x flows^2 per phase
// (90,000 flows: ~7 minutes; a million: refused).

#include <string>

#include "hw/storage_spec.h"
#include "models/storage/filesystem_spec.h"
#include "models/storage/workloads.h"
#include "sim/provenance.h"
#include "sim/resource_guard.h"
#include "sim/scenario_document.h"

namespace fathom::models::storage {

struct StorageScenario {
  std::string name;
  hw::StorageClusterSpec cluster;
  FilesystemSpec fs;
  StorageWorkload workload;
};

// Reads the scenario; every failure is InputError "<file>: <json.path>: <what>", including a fold whose
// flows would not fit the resource budget ("storage.fold: ... needs ~N GB for ~M flows ...").
StorageScenario read_storage_scenario(const ScenarioDocument& doc, ProvenanceLog& log);

// The flows plan_workload will build, with their memory and time.
sim::WorkEstimate estimate_storage_work(const hw::StorageClusterSpec& cluster, const FilesystemSpec& fs,
                                        const StorageWorkload& workload);

}  // namespace fathom::models::storage
