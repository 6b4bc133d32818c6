#include "models/storage/task_phase.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>

#include "sim/flow_network.h"

namespace fathom::models::storage {
namespace {

StorageTotals scaled(const StorageTotals& t, double k) {
  StorageTotals out;
  out.read = t.read * k;
  out.write = t.write * k;
  out.ssd_read = t.ssd_read * k;
  out.ssd_write = t.ssd_write * k;
  out.client_network = t.client_network * k;
  out.forward = t.forward * k;
  return out;
}

// One I/O stage of a wave: `nodes` client nodes, each reading or writing `per_node` bytes.
struct IoStage {
  PhaseSummary summary;
  std::vector<std::string> folds;
  size_t flows = 0;
};

std::optional<IoStage> io_stage(const hw::StorageClusterSpec& cluster, const FilesystemSpec& fs, const FoldSpec& fold,
                                int64_t nodes, Bytes per_node, bool write) {
  if (per_node.value() <= 0) return std::nullopt;
  hw::StorageClusterSpec active = cluster;
  active.clients = nodes;
  StorageFabric f(active, fs, fold);
  if (write) {
    f.add_writes(per_node, Seconds(0.0));
  } else {
    f.add_reads(per_node, Seconds(0.0));
  }
  IoStage s;
  s.summary = summarise_phase(write ? "write" : "read", f, sim::simulate_flows(f.network()));
  s.folds = f.folds();
  s.flows = f.network().flows().size();
  return s;
}

// The class of most limited time; ties (within 1e-9 s) go to the earlier class of kResourceClasses.
ResourceClass most_limited(const std::map<ResourceClass, Seconds>& limited) {
  ResourceClass best = ResourceClass::cpu;
  double best_s = -1.0;
  for (ResourceClass c : kResourceClasses) {
    const auto it = limited.find(c);
    if (it != limited.end() && it->second.value() > best_s + 1e-9) {
      best = c;
      best_s = it->second.value();
    }
  }
  return best;
}

}  // namespace

std::vector<WaveShape> wave_shapes(int64_t tasks, int64_t slots_per_node, int64_t nodes) {
  std::vector<WaveShape> out;
  const int64_t slots = slots_per_node * nodes;
  if (tasks / slots > 0) out.push_back({nodes, slots_per_node, tasks / slots, slots});
  const int64_t rest = tasks % slots;
  if (rest > 0) {
    const int64_t per_node = (rest + nodes - 1) / nodes;
    out.push_back({(rest + per_node - 1) / per_node, per_node, 1, rest});
  }
  return out;
}

Seconds task_compute_time(const TaskJobSpec& job, const TaskPhaseSpec& phase, Bytes logical) {
  Seconds t(0.0);
  for (const std::string& op : phase.operations) {
    t += logical / (job.compute_rates.at(op) * static_cast<double>(phase.cores_per_task));
  }
  return t;
}

Seconds task_metadata_time(const MetadataServiceSpec& service, const MetadataOps& ops, int64_t tasks_in_wave) {
  if (service.ops_per_s <= 0 || ops.total() == 0) return Seconds(0.0);
  const double n = static_cast<double>(ops.total());
  const Seconds serial = service.op_latency * n;
  const Seconds service_bound(n * static_cast<double>(tasks_in_wave) / service.ops_per_s);
  return std::max(serial, service_bound);
}

TaskJobRun run_task_job(const hw::StorageClusterSpec& cluster, const FilesystemSpec& fs, const FoldSpec& fold,
                        const TaskJobSpec& job) {
  TaskJobRun run;
  for (size_t i = 0; i < job.phases.size(); ++i) {
    const TaskPhaseSpec& ph = job.phases[i];
    const Bytes logical = job.input / static_cast<double>(ph.tasks);
    const Bytes read_per_task = logical * job.read_format_ratio(i);
    const Bytes write_per_task = logical * ph.output_format_ratio;
    PhaseSummary p;
    p.name = ph.name;
    p.tasks = ph.tasks;
    Seconds meta_s(0.0), read_s(0.0), compute_s(0.0), write_s(0.0);
    std::map<ResourceClass, Seconds> busy;  // busiest resource of each class: busy seconds
    const std::vector<WaveShape> shapes = wave_shapes(ph.tasks, ph.tasks_per_node, cluster.clients);
    for (const WaveShape& w : shapes) {
      const double waves = static_cast<double>(w.waves);
      const int64_t in_wave = w.tasks;  // real tasks: their bytes and operations
      // The time counts every active node full (the last task's), the bytes only the real tasks.
      const double real = static_cast<double>(w.tasks) / static_cast<double>(w.nodes * w.tasks_per_node);
      const double per_node = static_cast<double>(w.tasks_per_node);
      const Seconds meta = task_metadata_time(job.metadata, ph.metadata_ops, in_wave);
      const Seconds compute = task_compute_time(job, ph, logical);
      Seconds task = meta + compute;
      for (const bool write : {false, true}) {
        const Bytes per_node_bytes = (write ? write_per_task : read_per_task) * per_node;
        const std::optional<IoStage> io = io_stage(cluster, fs, fold, w.nodes, per_node_bytes, write);
        if (!io) continue;
        const PhaseSummary& s = io->summary;
        task += s.time;
        (write ? write_s : read_s) += s.time * waves;
        p.totals += scaled(s.totals, waves * real);
        for (const auto& [c, u] : s.utilisation) busy[c] += s.time * (u * waves);
        p.limited[s.bottleneck] += s.time * waves;
        if (run.folds.empty()) run.folds = io->folds;
        run.simulated_flows += io->flows;
      }
      meta_s += meta * waves;
      compute_s += compute * waves;
      p.limited[ResourceClass::cpu] += compute * waves;
      p.limited[ResourceClass::metadata] += meta * waves;
      const double core_share =
          static_cast<double>(w.tasks_per_node * ph.cores_per_task) / static_cast<double>(job.cores_per_node);
      busy[ResourceClass::cpu] += compute * (waves * core_share);
      if (job.metadata.ops_per_s > 0) {
        busy[ResourceClass::metadata] +=
            Seconds(waves * static_cast<double>(in_wave * ph.metadata_ops.total()) / job.metadata.ops_per_s);
      }
      p.metadata_ops += w.waves * in_wave * ph.metadata_ops.total();
      if (p.waves == 0) p.task_time = task;
      p.waves += w.waves;
      p.time += task * waves;
    }
    p.stages = {{"metadata", meta_s}, {"read", read_s}, {"compute", compute_s}, {"write", write_s}};
    if (p.time.value() > 0) {
      for (const auto& [c, b] : busy) p.utilisation[c] = b / p.time;
    }
    p.bottleneck = most_limited(p.limited);
    run.notes.push_back(fmt::format(
        "{}: {} tasks in {} waves of up to {} x {} slots, {:.3g} GB logical per task ({:.3g} GB read, {:.3g} GB "
        "written on disk); one task {:.3g} s",
        ph.name, ph.tasks, p.waves, cluster.clients, ph.tasks_per_node, logical.value() / 1e9,
        read_per_task.value() / 1e9, write_per_task.value() / 1e9, p.task_time.value()));
    run.phases.push_back(std::move(p));
  }
  return run;
}

ResourceClass task_job_bottleneck(const std::vector<PhaseSummary>& phases) {
  std::map<ResourceClass, Seconds> limited;
  for (const PhaseSummary& p : phases) {
    for (const auto& [c, s] : p.limited) limited[c] += s;
  }
  return most_limited(limited);
}

}  // namespace fathom::models::storage
