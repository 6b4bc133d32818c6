#pragma once
// The time of a task job's phases (task_job.h) on a 3FS-style cluster.
//
// Model (docs/storage.md, "Task jobs"): the tasks of a phase run in waves over the slots
// (tasks_per_node on each client node). The tasks of a wave start together and run their stages in step:
//   metadata: max(ops x op_latency, the wave's ops / the service's ops_per_s)
//   read:     the wave's reads (tasks x logical bytes x the input's format ratio), one flow simulation
//   compute:  logical bytes per task x sum over its operations of 1 / (rate x cores_per_task)
//   write:    the wave's writes (tasks x logical bytes x output format ratio) through CRAQ chains, one flow
//             simulation (R x on-disk bytes on SSDs)
// A partial last wave of r tasks runs ceil(r / N) tasks on each of ceil(r / ceil(r / N)) nodes (the phase
// ends when its last task does; nodes with one task fewer are timed full, but bytes and metadata operations
// count only the real tasks). Tasks of a wave never overlap
// one another's stages, so this is the slow end of what desynchronised tasks would do (documented limit).

#include <string>
#include <vector>

#include "hw/storage_spec.h"
#include "models/storage/filesystem_spec.h"
#include "models/storage/storage_fabric.h"
#include "models/storage/storage_summary.h"
#include "models/storage/task_job.h"

namespace fathom::models::storage {

// `waves` waves, each with `tasks_per_node` tasks on each of `nodes` client nodes (the time), of which
// `tasks` are real (the bytes and metadata operations): nodes x tasks_per_node but in a partial last wave.
struct WaveShape {
  int64_t nodes = 0;
  int64_t tasks_per_node = 0;
  int64_t waves = 0;
  int64_t tasks = 0;
};

// The full waves, then the partial last one (if any) of `tasks` over `nodes` x `slots_per_node` slots.
std::vector<WaveShape> wave_shapes(int64_t tasks, int64_t slots_per_node, int64_t nodes);

// One task's compute stage: `logical` bytes through each of the phase's operations in series.
Seconds task_compute_time(const TaskJobSpec& job, const TaskPhaseSpec& phase, Bytes logical);

// One task's metadata stage in a wave of `tasks_in_wave` tasks (0 s when the service is not modelled).
Seconds task_metadata_time(const MetadataServiceSpec& service, const MetadataOps& ops, int64_t tasks_in_wave);

struct TaskJobRun {
  std::vector<PhaseSummary> phases;
  std::vector<std::string> folds;  // of the first I/O simulation
  std::vector<std::string> notes;
  size_t simulated_flows = 0;
};

// Runs every phase (flow simulations for the I/O stages). Throws std::invalid_argument for plans the
// fold cannot build (the caller adds the JSON path).
TaskJobRun run_task_job(const hw::StorageClusterSpec& cluster, const FilesystemSpec& fs, const FoldSpec& fold,
                        const TaskJobSpec& job);

// The class that limited the most task time over all phases (PhaseSummary::limited summed).
ResourceClass task_job_bottleneck(const std::vector<PhaseSummary>& phases);

}  // namespace fathom::models::storage
