#include "models/storage/storage_report.h"

#include <fmt/format.h>

#include <stdexcept>

#include "models/storage/task_phase.h"
#include "models/storage/workloads.h"
#include "sim/error.h"
#include "sim/flow_network.h"

namespace fathom::models::storage {
namespace {

nlohmann::json utilisation_json(const std::map<ResourceClass, double>& u) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [c, v] : u) {
    if (c != ResourceClass::demand) j[std::string(to_string(c))] = v;
  }
  return j;
}

std::string bottleneck_name(ResourceClass c) { return c == ResourceClass::demand ? "none" : std::string(to_string(c)); }

std::string gbps(BytesPerSecond r) { return fmt::format("{:.1f} GB/s", r.value() / 1e9); }

nlohmann::json storage_json(const StorageRun& r) {
  const auto& s = r.summary;
  const double clients = static_cast<double>(s.clients);
  nlohmann::json phases = nlohmann::json::array();
  for (const auto& p : s.phases) {
    nlohmann::json phase = {{"name", p.name},
                            {"time_s", p.time.value()},
                            {"read_bytes_per_s", (p.totals.read / p.time).value()},
                            {"write_bytes_per_s", (p.totals.write / p.time).value()},
                            {"bottleneck", bottleneck_name(p.bottleneck)},
                            {"utilisation", utilisation_json(p.utilisation)}};
    if (p.tasks > 0) {  // task jobs (task_phase.h)
      nlohmann::json stages = nlohmann::json::object(), limited = nlohmann::json::object();
      for (const auto& [stage, t] : p.stages) stages[stage] = t.value();
      for (const auto& [c, t] : p.limited) limited[std::string(to_string(c))] = t.value();
      phase["tasks"] = p.tasks;
      phase["waves"] = p.waves;
      phase["task_time_s"] = p.task_time.value();
      phase["stages_s"] = stages;
      phase["limited_s"] = limited;
      phase["metadata_ops"] = p.metadata_ops;
      phase["ssd_write_bytes"] = p.totals.ssd_write.value();
    }
    phases.push_back(std::move(phase));
  }
  nlohmann::json storage = {
      {"workload", r.workload},
      {"clients", s.clients},
      {"storage_nodes", r.cluster.storage_nodes},
      {"replication", r.fs.replication},
      {"raw_capacity_bytes", r.cluster.raw_capacity().value()},
      {"read_bytes_per_s", s.read_rate().value()},
      {"write_bytes_per_s", s.write_rate().value()},
      {"read_bytes_per_s_per_client", s.read_rate().value() / clients},
      {"write_bytes_per_s_per_client", s.write_rate().value() / clients},
      {"bottleneck", bottleneck_name(s.bottleneck)},
      {"job_time_s", r.has_end ? nlohmann::json(s.job_time.value()) : nlohmann::json(nullptr)},
      {"bytes",
       {{"read", s.totals.read.value()},
        {"write", s.totals.write.value()},
        {"ssd_read", s.totals.ssd_read.value()},
        {"ssd_write", s.totals.ssd_write.value()},
        {"client_network", s.totals.client_network.value()},
        {"chain_forwarding", s.totals.forward.value()}}},
      {"phases", phases},
      {"simulated_flows", r.simulated_flows},
  };
  if (r.analytic_read && r.perturbations.empty()) {
    storage["analytic_read_bytes_per_s_per_client"] = r.analytic_read->per_client.value();
  }
  if (r.kv) {
    storage["kv_cache_read"] = {{"read_bytes_per_s_per_client", r.kv->per_client.value()},
                                {"capacity_bytes_per_s_per_client", r.kv->capacity_per_client.value()},
                                {"demand_met", r.kv->demand_met},
                                {"block_latency_s", r.kv->block_latency.value()},
                                {"bottleneck", bottleneck_name(r.kv->bottleneck)}};
  }
  nlohmann::json out = {{"kind", "storage"},  {"name", r.name},
                        {"storage", storage}, {"utilisation", utilisation_json(s.utilisation)},
                        {"folds", r.folds},   {"notes", r.notes}};
  if (!r.perturbations.empty()) {
    out["perturbations"] = r.perturbations;
    out["broken_folds"] = r.broken_folds;
  }
  return out;
}

// Per phase: its time, bottleneck and the busiest resource of each class, as table rows.
nlohmann::json phase_rows(const StorageSummary& s) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& p : s.phases) {
    nlohmann::json row = {{"phase", p.name}, {"time_s", p.time.value()}, {"bottleneck", bottleneck_name(p.bottleneck)}};
    for (const ResourceClass c :
         {ResourceClass::ssd, ResourceClass::storage_nic, ResourceClass::network, ResourceClass::client_nic}) {
      const auto it = p.utilisation.find(c);
      row[std::string(to_string(c))] = it == p.utilisation.end() ? 0.0 : it->second;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

StoragePlan plan_storage_scenario(const StorageScenario& s, const std::string& label) {
  try {
    return plan_workload(s.cluster, s.fs, s.workload);
  } catch (const std::invalid_argument& e) {
    throw InputError(fmt::format("{}: storage.{}: {}", label, s.workload.kind, e.what()));
  }
}

namespace {

// A task job (task_phase.h): its phases simulated stage by stage.
StorageRun run_task_job_scenario(const StorageScenario& s, const std::string& label) {
  StorageRun r;
  TaskJobRun job;
  try {
    job = run_task_job(s.cluster, s.fs, s.workload.fold, s.workload.task_job);
  } catch (const std::invalid_argument& e) {
    throw InputError(fmt::format("{}: storage.task_job: {}", label, e.what()));
  }
  r.name = s.name;
  r.workload = s.workload.kind;
  r.cluster = s.cluster;
  r.fs = s.fs;
  r.simulated_flows = job.simulated_flows;
  r.folds = job.folds;
  r.notes = job.notes;
  const ResourceClass bottleneck = task_job_bottleneck(job.phases);
  r.summary = summarise_job(s.cluster.clients, std::move(job.phases));
  r.summary.bottleneck = bottleneck;  // the class that limited the most task time, not the busiest
  return r;
}

}  // namespace

StorageRun run_storage_scenario(const StorageScenario& s, const std::string& label) {
  if (s.workload.kind == "task_job") return run_task_job_scenario(s, label);
  StoragePlan plan = plan_storage_scenario(s, label);
  std::vector<PhaseSummary> phases;
  StorageRun r;
  for (const StoragePhasePlan& phase : plan.phases) {
    const sim::FlowResults flows = sim::simulate_flows(phase.fabric.network());
    phases.push_back(summarise_phase(phase.name, phase.fabric, flows));
    r.simulated_flows += phase.fabric.network().flows().size();
  }
  r.name = s.name;
  r.workload = s.workload.kind;
  r.cluster = s.cluster;
  r.fs = s.fs;
  r.summary = summarise_job(plan.clients, std::move(phases));
  r.has_end = plan.has_end;
  r.folds = plan.phases.front().fabric.folds();
  r.notes = plan.notes;
  for (const StoragePerturbation& p : s.workload.perturbations) r.perturbations.push_back(p.describe());
  r.broken_folds = broken_storage_folds(s.workload.perturbations, s.cluster.storage_nodes);
  if (s.workload.kind == "kv_cache_read") {
    const KvCacheReadSpec& k = s.workload.kv_cache_read;
    r.kv = kv_read_throughput(s.cluster, s.fs, {s.cluster.clients, k.demand_per_client, k.block_size});
  }
  if (s.workload.kind == "peak_read") r.analytic_read = symmetric_read_rate(s.cluster, s.fs, s.cluster.clients);
  return r;
}

Report storage_report(const StorageRun& r, const ProvenanceLog& log, const nlohmann::json& scenario) {
  Report rep;
  rep.kind = "storage";
  rep.title = r.name;
  rep.data = storage_json(r);
  rep.data["phase_table"] = phase_rows(r.summary);
  rep.data["assumptions"] = assumptions_json(log);
  rep.data["scenario"] = scenario;
  rep.lines.push_back(fmt::format("workload {}: {} storage nodes ({} x {} NIC, {} SSDs), {} clients, chains of {}",
                                  r.workload, r.cluster.storage_nodes, r.cluster.storage_node.nic.count,
                                  gbps(r.cluster.storage_node.nic.bandwidth), r.cluster.storage_node.ssd_count,
                                  r.summary.clients, r.fs.replication));
  rep.lines.push_back("Bottleneck: " + bottleneck_name(r.summary.bottleneck));
  for (const std::string& n : r.notes) rep.lines.push_back("Note: " + n);
  for (const std::string& p : r.perturbations) rep.lines.push_back("Perturbation: " + p);
  for (const std::string& f : r.broken_folds) rep.lines.push_back("Fold broken: " + f);
  if (!r.perturbations.empty()) {
    std::string kept;
    for (const std::string& f : r.folds) kept += (kept.empty() ? "" : "; ") + f.substr(0, f.find(':'));
    rep.lines.push_back("Folds kept: " + (kept.empty() ? std::string("none") : kept));
  }
  rep.metrics = {
      {"/storage/read_bytes_per_s", "B/s", "read throughput"},
      {"/storage/read_bytes_per_s_per_client", "B/s", "read throughput per client"},
      {"/storage/write_bytes_per_s", "B/s", "write throughput"},
      {"/storage/write_bytes_per_s_per_client", "B/s", "write throughput per client"},
      {"/storage/bytes/read", "B", "bytes read"},
      {"/storage/bytes/write", "B", "bytes written"},
      {"/storage/bytes/chain_forwarding", "B", "bytes forwarded along replication chains", false},
  };
  if (r.has_end) rep.metrics.insert(rep.metrics.begin(), {"/storage/job_time_s", "s", "job time"});
  for (size_t i = 0; i < r.summary.phases.size(); ++i) {  // task jobs: every phase's time is a headline
    const PhaseSummary& p = r.summary.phases[i];
    if (p.tasks == 0) continue;
    rep.metrics.push_back({fmt::format("/storage/phases/{}/time_s", i), "s", p.name + " phase time"});
    std::string stages;
    for (const auto& [stage, t] : p.stages)
      stages += fmt::format("{}{} {:.1f} s", stages.empty() ? "" : ", ", stage, t.value());
    rep.lines.push_back(fmt::format("Phase {}: {:.1f} s, {} tasks in {} waves, bottleneck {} ({})", p.name,
                                    p.time.value(), p.tasks, p.waves, bottleneck_name(p.bottleneck), stages));
  }
  if (r.kv) {
    rep.metrics.push_back({"/storage/kv_cache_read/read_bytes_per_s_per_client", "B/s", "KV-cache read per client"});
    rep.metrics.push_back({"/storage/kv_cache_read/block_latency_s", "s", "KV-cache block latency"});
  }
  rep.tables = {{"phases",
                 "Phases: time, bottleneck and the busiest resource of each class",
                 "/phase_table",
                 {{"phase", "phase", ""},
                  {"time_s", "time", "s", 1, 1},
                  {"bottleneck", "bottleneck", ""},
                  {"ssd", "SSD", "%", 100, 0},
                  {"storage_nic", "storage NIC", "%", 100, 0},
                  {"network", "network", "%", 100, 0},
                  {"client_nic", "client NIC", "%", 100, 0}},
                 {{"bar", "phase", "time_s", "bottleneck", "", "", "time (s)"}}}};
  return rep;
}

}  // namespace fathom::models::storage
