// Task-level storage jobs (models/storage/task_phase.h) on the tiny cluster, every value by hand: one task
// is the serial sum of its stages; doubling cores per task halves a compute-bound phase; NIC-bound and
// metadata-bound regimes; bytes on disk (format ratios, CRAQ replication); waves over the slots.

#include <catch2/catch.hpp>

#include "models/storage/task_phase.h"
#include "storage_test_cluster.h"

using namespace fathom;
using namespace fathom::models::storage;
using fathom::test::tiny_cluster;
using fathom::test::tiny_fs;

namespace {

constexpr double kRel = 1e-6;

// One phase of `tasks` tasks, `per_node` slots per node, one operation "op" at `rate` per core.
TaskJobSpec one_phase_job(Bytes input, int64_t tasks, int64_t per_node, int64_t cores, BytesPerSecond rate) {
  TaskJobSpec job;
  job.input = input;
  job.cores_per_node = 4;
  job.compute_rates["op"] = rate;
  TaskPhaseSpec p;
  p.name = "phase";
  p.tasks = tasks;
  p.tasks_per_node = per_node;
  p.cores_per_task = cores;
  p.operations = {"op"};
  job.phases.push_back(p);
  return job;
}

Seconds stage(const PhaseSummary& p, const std::string& name) {
  for (const auto& [n, t] : p.stages) {
    if (n == name) return t;
  }
  FAIL("no stage " << name);
  return Seconds(0.0);
}

PhaseSummary run_one(const hw::StorageClusterSpec& c, const TaskJobSpec& job) {
  return run_task_job(c, tiny_fs(), {}, job).phases.at(0);
}

}  // namespace

TEST_CASE("wave shapes: full waves, then the partial last one", "[unit]") {
  auto same = [](const std::vector<WaveShape>& got, const std::vector<WaveShape>& want) {
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      CHECK(got[i].nodes == want[i].nodes);
      CHECK(got[i].tasks_per_node == want[i].tasks_per_node);
      CHECK(got[i].waves == want[i].waves);
      CHECK(got[i].tasks == want[i].tasks);
    }
  };
  same(wave_shapes(16, 2, 4), {{4, 2, 2, 8}});
  same(wave_shapes(10, 2, 4), {{4, 2, 1, 8}, {2, 1, 1, 2}});
  same(wave_shapes(13, 2, 4), {{4, 2, 1, 8}, {3, 2, 1, 5}});  // 5 left: 2 per node on 3 nodes (6 slots)
  same(wave_shapes(3, 2, 4), {{3, 1, 1, 3}});
  same(wave_shapes(7, 2, 4), {{4, 2, 1, 7}});  // 7 of 8 slots: timed as a full wave
}

TEST_CASE("one task is the serial sum of metadata, read, compute and write", "[unit]") {
  // Client NIC 8 GB/s. Metadata: 6 ops x 2 ms = 12 ms (service: 6 / 1000/s = 6 ms). Read 4 GB: client-NIC
  // bound (storage NICs 20, SSDs 32 GB/s) = 0.5 s. Compute 4 GB / (1 GB/s x 2 cores) = 2 s. Write 4 GB
  // in chains of 2: 8 GB on SSDs at 4 x 3 GB/s = 0.6667 s (client NIC 0.5 s, storage NIC rx 8 / 20 = 0.4 s).
  hw::StorageClusterSpec c = tiny_cluster();
  c.client_node.nic.achievable_bandwidth = BytesPerSecond(8e9);
  TaskJobSpec job = one_phase_job(Bytes(4e9), 1, 1, 2, BytesPerSecond(1e9));
  job.metadata = {1000.0, Seconds(2e-3)};
  job.phases[0].metadata_ops = {2, 1, 3, 0};
  const PhaseSummary p = run_one(c, job);
  CHECK(p.waves == 1);
  CHECK(p.metadata_ops == 6);
  CHECK(stage(p, "metadata").value() == Approx(0.012).epsilon(kRel));
  CHECK(stage(p, "read").value() == Approx(0.5).epsilon(kRel));
  CHECK(stage(p, "compute").value() == Approx(2.0).epsilon(kRel));
  CHECK(stage(p, "write").value() == Approx(8.0 / 12.0).epsilon(kRel));
  CHECK(p.time.value() == Approx(0.012 + 0.5 + 2.0 + 8.0 / 12.0).epsilon(kRel));
  CHECK(p.task_time.value() == Approx(p.time.value()).epsilon(kRel));
  CHECK(p.bottleneck == ResourceClass::cpu);
  CHECK(p.limited.at(ResourceClass::client_nic).value() == Approx(0.5).epsilon(kRel));
  CHECK(p.limited.at(ResourceClass::ssd).value() == Approx(8.0 / 12.0).epsilon(kRel));
  // CPU: 2 of 4 cores busy for 2 s of the phase.
  CHECK(p.utilisation.at(ResourceClass::cpu) == Approx(0.5 * 2.0 / p.time.value()).epsilon(kRel));
}

TEST_CASE("doubling cores per task halves a compute-bound phase", "[unit]") {
  // 8 tasks of 0.1 GB, 2 per node (one wave), 10 MB/s per core: 10 s of compute with 1 core, 5 s with 2.
  // The I/O: 0.8 GB read at 20 GB/s (0.04 s) and 0.8 GB written, 1.6 GB on SSDs at 12 GB/s (0.133 s).
  const TaskJobSpec one = one_phase_job(Bytes(0.8e9), 8, 2, 1, BytesPerSecond(0.01e9));
  TaskJobSpec two = one;
  two.phases[0].cores_per_task = 2;
  const PhaseSummary a = run_one(tiny_cluster(), one), b = run_one(tiny_cluster(), two);
  CHECK(stage(a, "compute").value() == Approx(10.0).epsilon(kRel));
  CHECK(stage(b, "compute").value() == Approx(5.0).epsilon(kRel));
  CHECK(a.bottleneck == ResourceClass::cpu);
  CHECK(b.bottleneck == ResourceClass::cpu);
  const double io = 0.04 + 1.6 / 12.0;
  CHECK((a.time - stage(a, "compute")).value() == Approx(io).epsilon(kRel));  // I/O unchanged
  CHECK((b.time - stage(b, "compute")).value() == Approx(io).epsilon(kRel));
  CHECK(b.time.value() / a.time.value() == Approx(0.5).margin(0.01));  // (5 + 0.173) / (10 + 0.173)
}

TEST_CASE("NIC-bound phase with a partial last wave, by hand", "[unit]") {
  // SSD writes made fast (30 GB/s) so NICs bind. 10 tasks of 1 GB, 2 slots per node on 4 nodes: one full
  // wave (8 tasks) and a last wave of 1 task on 2 nodes. Output format ratio 0.5 (0.5 GB on disk per task).
  // Full wave: read 8 GB at 20 GB/s of storage NICs = 0.4 s; compute 1 GB / 1000 GB/s = 1 ms; write 4 GB,
  //   R x 4 = 8 GB into storage NICs (head + forward) at 20 GB/s = 0.4 s.
  // Last wave: read 2 x 1 GB, each client at its 6 GB/s NIC = 1/6 s; compute 1 ms; write 2 x 0.5 GB,
  //   2 GB into storage NICs at 20 GB/s = 0.1 s.
  hw::StorageClusterSpec c = tiny_cluster();
  c.storage_node.ssd.write_bandwidth = BytesPerSecond(30e9);
  TaskJobSpec job = one_phase_job(Bytes(10e9), 10, 2, 1, BytesPerSecond(1000e9));
  job.phases[0].output_format_ratio = 0.5;
  const PhaseSummary p = run_one(c, job);
  CHECK(p.waves == 2);
  CHECK(stage(p, "read").value() == Approx(0.4 + 1.0 / 6.0).epsilon(kRel));
  CHECK(stage(p, "compute").value() == Approx(0.002).epsilon(kRel));
  CHECK(stage(p, "write").value() == Approx(0.4 + 0.1).epsilon(kRel));
  CHECK(p.time.value() == Approx(0.4 + 0.001 + 0.4 + 1.0 / 6.0 + 0.001 + 0.1).epsilon(kRel));
  CHECK(p.task_time.value() == Approx(0.801).epsilon(kRel));
  CHECK(p.limited.at(ResourceClass::storage_nic).value() == Approx(0.9).epsilon(kRel));
  CHECK(p.limited.at(ResourceClass::client_nic).value() == Approx(1.0 / 6.0).epsilon(kRel));
  CHECK(p.bottleneck == ResourceClass::storage_nic);
  // Bytes: 10 GB read, 5 GB written on disk, 10 GB on SSDs (R = 2), 5 GB forwarded.
  CHECK(p.totals.read.value() == Approx(10e9).epsilon(kRel));
  CHECK(p.totals.write.value() == Approx(5e9).epsilon(kRel));
  CHECK(p.totals.ssd_write.value() == Approx(10e9).epsilon(kRel));
  CHECK(p.totals.forward.value() == Approx(5e9).epsilon(kRel));
}

TEST_CASE("a partial wave is timed full but moves only its real tasks' bytes", "[unit]") {
  // 13 tasks of 1 GB, 2 slots per node on 4 nodes: a full wave of 8, then 5 tasks timed as 2 on each of
  // 3 nodes. Reads: 8 GB at the storage NICs' 20 GB/s = 0.4 s; then 2 GB per node at the client NIC's
  // 6 GB/s (storage NICs 20 / 3) = 1/3 s. The bytes are 13 GB, not 14.
  TaskJobSpec job = one_phase_job(Bytes(13e9), 13, 2, 1, BytesPerSecond(1000e9));
  const PhaseSummary p = run_one(tiny_cluster(), job);
  CHECK(stage(p, "read").value() == Approx(0.4 + 1.0 / 3.0).epsilon(kRel));
  CHECK(p.totals.read.value() == Approx(13e9).epsilon(kRel));
  CHECK(p.totals.write.value() == Approx(13e9).epsilon(kRel));
  CHECK(p.totals.ssd_write.value() == Approx(26e9).epsilon(kRel));
}
