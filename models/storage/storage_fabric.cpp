#include "models/storage/storage_fabric.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "models/storage/chain_table.h"

namespace fathom::models::storage {

std::string_view to_string(ResourceClass c) {
  switch (c) {
    case ResourceClass::client_nic:
      return "client_nic";
    case ResourceClass::storage_nic:
      return "storage_nic";
    case ResourceClass::ssd:
      return "ssd";
    case ResourceClass::network:
      return "network";
    case ResourceClass::client_ops:
      return "client_ops";
    case ResourceClass::cpu:
      return "cpu";
    case ResourceClass::demand:
      return "demand";
    case ResourceClass::metadata:
      return "metadata";
  }
  return "?";
}

StorageFabric::StorageFabric(const hw::StorageClusterSpec& cluster, const FilesystemSpec& fs, const FoldSpec& fold,
                             BytesPerSecond cpu_per_client, const std::vector<StoragePerturbation>& perturbations)
    : cluster_(cluster), fs_(fs), fold_(fold) {
  const int64_t n = cluster.clients, s = cluster.storage_nodes, d = cluster.storage_node.ssd_count;
  k_ = (fold.clients <= 0 || fold.clients >= n) ? n : fold.clients;
  m_ = (fold.storage_nodes <= 0 || fold.storage_nodes >= s) ? s : fold.storage_nodes;
  if (fs.replication > m_) {
    throw std::invalid_argument(fmt::format("replication {} needs at least {} storage nodes simulated, have {}",
                                            fs.replication, fs.replication, m_));
  }
  if (!perturbations.empty() && m_ < s) {
    throw std::invalid_argument("a perturbed storage node needs every storage node simulated (fold.storage_nodes 0)");
  }
  std::vector<double> slowdown(static_cast<size_t>(m_), 1.0);  // per node: its SSDs' slowdown
  for (const StoragePerturbation& p : perturbations) {
    if (p.kind == "ssd_slowdown") slowdown[static_cast<size_t>(p.node)] *= p.factor;
    if (p.kind == "storage_node_down") down_ = p.node;
  }
  const double client_scale = static_cast<double>(m_) / static_cast<double>(s);
  const double storage_scale = static_cast<double>(k_) / static_cast<double>(n);
  const double core_scale = client_scale * storage_scale;
  const hw::StorageNicSpec& cn = cluster.client_node.nic;
  const hw::StorageNicSpec& sn = cluster.storage_node.nic;
  for (int64_t c = 0; c < k_; ++c) {
    client_tx_.push_back(
        link(fmt::format("client{}:tx", c), ResourceClass::client_nic, cn.node_bandwidth() * client_scale, cn.latency));
    client_rx_.push_back(
        link(fmt::format("client{}:rx", c), ResourceClass::client_nic, cn.node_bandwidth() * client_scale));
    client_ops_.push_back(link(fmt::format("client{}:ops", c), ResourceClass::client_ops,
                               BytesPerSecond(fs.ops_per_s() * fs.io_size.value() * client_scale)));
    client_cpu_.push_back(cpu_per_client.value() > 0
                              ? link(fmt::format("client{}:cpu", c), ResourceClass::cpu, cpu_per_client * client_scale)
                              : -1);
  }
  const hw::SsdSpec& ssd = cluster.storage_node.ssd;
  for (int64_t v = 0; v < m_; ++v) {
    storage_tx_.push_back(link(fmt::format("storage{}:tx", v), ResourceClass::storage_nic,
                               sn.node_bandwidth() * storage_scale, sn.latency));
    storage_rx_.push_back(
        link(fmt::format("storage{}:rx", v), ResourceClass::storage_nic, sn.node_bandwidth() * storage_scale));
    const int64_t disks = fold.aggregate_ssds ? 1 : d;
    const double per_disk =
        (fold.aggregate_ssds ? static_cast<double>(d) : 1.0) * storage_scale / slowdown[static_cast<size_t>(v)];
    std::vector<int> ids;
    for (int64_t i = 0; i < disks; ++i) {
      ids.push_back(net_.add_disk(
          {fmt::format("storage{}:ssd{}", v, i), ssd.read_bandwidth * per_disk, ssd.write_bandwidth * per_disk}));
    }
    disks_.push_back(std::move(ids));
  }
  if (cluster.network.kind == hw::StorageFabricKind::two_layer) {
    const double os = cluster.network.oversubscription;
    const BytesPerSecond client_side = cn.node_line_rate() * (static_cast<double>(n) / os * core_scale);
    const BytesPerSecond storage_side = sn.node_line_rate() * (static_cast<double>(s) / os * core_scale);
    core_client_up_ = link("core:client_leaves:up", ResourceClass::network, client_side);
    core_client_down_ = link("core:client_leaves:down", ResourceClass::network, client_side);
    core_storage_up_ = link("core:storage_leaves:up", ResourceClass::network, storage_side);
    core_storage_down_ = link("core:storage_leaves:down", ResourceClass::network, storage_side);
  }
}

int StorageFabric::link(const std::string& name, ResourceClass c, BytesPerSecond bw, Seconds latency) {
  link_class_.push_back(c);
  reserved_.push_back(BytesPerSecond(0.0));
  return net_.add_link({name, bw, latency, true});
}

void StorageFabric::reserve(int link, BytesPerSecond rate) {
  if (link < 0 || rate.value() <= 0) return;
  const size_t l = static_cast<size_t>(link);
  if (!(rate < net_.links()[l].bandwidth)) {
    throw std::invalid_argument("background traffic fills " + net_.links()[l].name);
  }
  reserved_[l] += rate;
  net_.set_link_bandwidth(link, net_.links()[l].bandwidth - rate);
}

int StorageFabric::disk_of(int64_t node, int64_t ssd) const {
  const std::vector<int>& ids = disks_[static_cast<size_t>(node)];
  return ids.size() == 1 ? ids[0] : ids[static_cast<size_t>(ssd)];
}

void StorageFabric::add(FlowKind kind, sim::FlowSpec flow) {
  flow.links.erase(std::remove(flow.links.begin(), flow.links.end(), -1), flow.links.end());
  net_.add_flow(std::move(flow));
  flow_kind_.push_back(kind);
}

double StorageFabric::scale() const {
  return static_cast<double>(cluster_.clients * cluster_.storage_nodes) / static_cast<double>(k_ * m_);
}

}  // namespace fathom::models::storage
