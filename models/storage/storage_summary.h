#pragma once
// What a storage job did: bytes moved (at cluster scale, folds undone), rates, utilisation per resource
// class (the busiest resource of the class, as a fraction of its capacity over the job) and the
// bottleneck, per phase and for the whole job.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "models/storage/storage_fabric.h"
#include "sim/flow_network.h"

namespace fathom::models::storage {

struct StorageTotals {
  Bytes read;            // bytes clients read (logical)
  Bytes write;           // bytes clients wrote (logical)
  Bytes ssd_read;        // bytes read from SSDs
  Bytes ssd_write;       // bytes written to SSDs (R x write)
  Bytes client_network;  // client <-> storage bytes on the storage network (read + write)
  Bytes forward;         // storage -> storage chain forwarding ((R-1) x write)

  StorageTotals& operator+=(const StorageTotals& o);
};

struct PhaseSummary {
  std::string name;
  Seconds time;
  StorageTotals totals;
  std::map<ResourceClass, double> utilisation;
  ResourceClass bottleneck = ResourceClass::storage_nic;
  // Task jobs only (task_phase.h): the phase's tasks and waves, one task's time in a full wave, the phase's
  // seconds in each stage (metadata, read, compute, write), its metadata operations, and the seconds each
  // resource class limited (the class of each stage: its I/O simulation's bottleneck, cpu, metadata).
  int64_t tasks = 0;
  int64_t waves = 0;
  Seconds task_time;
  std::vector<std::pair<std::string, Seconds>> stages;
  int64_t metadata_ops = 0;
  std::map<ResourceClass, Seconds> limited;
};

struct StorageSummary {
  Seconds job_time;
  int64_t clients = 0;
  StorageTotals totals;
  std::map<ResourceClass, double> utilisation;  // time-weighted over phases
  ResourceClass bottleneck = ResourceClass::storage_nic;
  std::vector<PhaseSummary> phases;

  BytesPerSecond read_rate() const { return totals.read / job_time; }
  BytesPerSecond write_rate() const { return totals.write / job_time; }
};

PhaseSummary summarise_phase(const std::string& name, const StorageFabric& fabric, const sim::FlowResults& r);
StorageSummary summarise_job(int64_t clients, std::vector<PhaseSummary> phases);

}  // namespace fathom::models::storage
