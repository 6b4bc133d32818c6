#pragma once
// A task-level storage job (scenario workload "task_job", docs/storage.md): phases of tasks run by a
// data-processing framework on the client nodes (smallpond with DuckDB/Arrow for 3FS's GraySort, ST03).
// Every task of a phase is alike and runs in series:
//   metadata (open its inputs, create its outputs) -> read -> compute -> write (CRAQ chains) .
// Tasks run in waves over the slots (tasks_per_node on every client node); the phase ends when its last
// task does; a barrier separates phases.
//
// Units: bytes are the job's logical bytes (the records) unless named "on disk"; compute rates are
// logical bytes per second per core; the format ratio is bytes on disk per logical byte.

#include <map>
#include <string>
#include <vector>

#include "sim/spec_reader.h"

namespace fathom::models::storage {

// File-system metadata operations one task issues (3FS's metadata service, ST05).
struct MetadataOps {
  int64_t create = 0;
  int64_t open = 0;
  int64_t close = 0;
  int64_t remove = 0;

  int64_t total() const { return create + open + close + remove; }
};

struct TaskPhaseSpec {
  std::string name;
  int64_t tasks = 0;           // tasks in the phase; each processes input / tasks logical bytes
  int64_t tasks_per_node = 0;  // slots per client node
  int64_t cores_per_task = 0;
  std::vector<std::string> operations;  // names of TaskJobSpec::compute_rates, run in series on each byte
  double output_format_ratio = 1.0;     // bytes on disk per logical byte written (extra columns, compression)
  MetadataOps metadata_ops;             // per task
};

// The metadata service as a whole: an operation rate for the cluster and the time of one operation.
struct MetadataServiceSpec {
  double ops_per_s = 0;  // 0 = metadata not modelled
  Seconds op_latency;    // one operation's round trip; a task issues its operations one after another
};

struct TaskJobSpec {
  Bytes input;                                          // logical bytes every phase processes
  double input_format_ratio = 1;                        // bytes on disk per logical byte of the job's input files
  int64_t cores_per_node = 0;                           // physical cores of a client node
  std::map<std::string, BytesPerSecond> compute_rates;  // per operation, logical bytes/s per core
  MetadataServiceSpec metadata;
  std::vector<TaskPhaseSpec> phases;

  // Bytes on disk per logical byte of phase `i`'s input: the job's input, then the previous phase's output.
  double read_format_ratio(size_t i) const { return i == 0 ? input_format_ratio : phases[i - 1].output_format_ratio; }
};

// Reads the "task_job" object (not finished): InputError "<file>: storage.task_job.<path>: <what>" for
// unknown operations, zero counts, or tasks whose cores exceed a node's.
TaskJobSpec read_task_job(const SpecReader& r);

}  // namespace fathom::models::storage
