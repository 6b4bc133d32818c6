#include "tools/storage_report.h"

#include <fmt/format.h>

#include "reports/text_table.h"

namespace fathom::tools {
namespace {

using models::storage::ResourceClass;

nlohmann::json utilisation_json(const std::map<ResourceClass, double>& u) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [c, v] : u) {
    if (c != ResourceClass::demand) j[std::string(to_string(c))] = v;
  }
  return j;
}

std::string bottleneck_name(ResourceClass c) { return c == ResourceClass::demand ? "none" : std::string(to_string(c)); }

std::string gbps(BytesPerSecond r) { return fmt::format("{:.1f} GB/s", r.value() / 1e9); }
std::string tib(Bytes b) { return fmt::format("{:.2f} TiB", b.value() / 1099511627776.0); }

}  // namespace

nlohmann::json storage_report_json(const StorageReport& r) {
  const auto& s = r.summary;
  const double clients = static_cast<double>(s.clients);
  nlohmann::json phases = nlohmann::json::array();
  for (const auto& p : s.phases) {
    phases.push_back({{"name", p.name},
                      {"time_s", p.time.value()},
                      {"read_bytes_per_s", (p.totals.read / p.time).value()},
                      {"write_bytes_per_s", (p.totals.write / p.time).value()},
                      {"bottleneck", bottleneck_name(p.bottleneck)},
                      {"utilisation", utilisation_json(p.utilisation)}});
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
  if (r.analytic_read) {
    storage["analytic_read_bytes_per_s_per_client"] = r.analytic_read->per_client.value();
  }
  if (r.kv) {
    storage["kv_cache_read"] = {{"read_bytes_per_s_per_client", r.kv->per_client.value()},
                                {"capacity_bytes_per_s_per_client", r.kv->capacity_per_client.value()},
                                {"demand_met", r.kv->demand_met},
                                {"block_latency_s", r.kv->block_latency.value()},
                                {"bottleneck", bottleneck_name(r.kv->bottleneck)}};
  }
  return {{"kind", "storage"},  {"name", r.name},
          {"storage", storage}, {"utilisation", utilisation_json(s.utilisation)},
          {"folds", r.folds},   {"notes", r.notes}};
}

std::string storage_report_text(const StorageReport& r) {
  const auto& s = r.summary;
  std::string out = fmt::format(
      "{}\nworkload {}: {} storage nodes ({} x {} NIC, {} SSDs), {} clients, chains of {}\n\n", r.name, r.workload,
      r.cluster.storage_nodes, r.cluster.storage_node.nic.count, gbps(r.cluster.storage_node.nic.bandwidth),
      r.cluster.storage_node.ssd_count, s.clients, r.fs.replication);
  reports::TextTable t({"result", "value"});
  t.add_row({"read throughput", gbps(s.read_rate())});
  t.add_row({"  per client", gbps(s.read_rate() / static_cast<double>(s.clients))});
  t.add_row({"write throughput", gbps(s.write_rate())});
  t.add_row({"  per client", gbps(s.write_rate() / static_cast<double>(s.clients))});
  if (r.has_end) t.add_row({"job time", fmt::format("{:.1f} s", s.job_time.value())});
  t.add_row({"bytes read / written", tib(s.totals.read) + " / " + tib(s.totals.write)});
  t.add_row({"SSD writes / chain forwarding", tib(s.totals.ssd_write) + " / " + tib(s.totals.forward)});
  t.add_row({"bottleneck", bottleneck_name(s.bottleneck)});
  if (r.kv) {
    t.add_row({"KV read per client", gbps(r.kv->per_client)});
    t.add_row({"KV block latency", fmt::format("{:.1f} us", r.kv->block_latency.value() * 1e6)});
  }
  out += t.render();
  reports::TextTable u({"phase", "time", "bottleneck", "ssd", "storage_nic", "network", "client_nic"});
  for (const auto& p : s.phases) {
    auto pct = [&](ResourceClass c) {
      const auto it = p.utilisation.find(c);
      return it == p.utilisation.end() ? std::string("-") : fmt::format("{:.0f}%", 100 * it->second);
    };
    u.add_row({p.name, fmt::format("{:.1f} s", p.time.value()), bottleneck_name(p.bottleneck), pct(ResourceClass::ssd),
               pct(ResourceClass::storage_nic), pct(ResourceClass::network), pct(ResourceClass::client_nic)});
  }
  out += "\nUtilisation (busiest resource of each class):\n" + u.render();
  out += "\nFolds:\n";
  for (const auto& f : r.folds) out += "  " + f + "\n";
  for (const auto& n : r.notes) out += "Note: " + n + "\n";
  return out;
}

}  // namespace fathom::tools
