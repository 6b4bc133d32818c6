// The flows of StorageFabric: reads, CRAQ chain writes, background traffic, and the folds' names.

#include <fmt/format.h>

#include <stdexcept>

#include "models/storage/chain_table.h"
#include "models/storage/storage_fabric.h"

namespace fathom::models::storage {
namespace {

sim::FlowSpec make_flow(std::vector<int> links, double bytes, Seconds start) {
  sim::FlowSpec f;
  f.links = std::move(links);
  f.bytes = Bytes(bytes);
  f.start = start;
  return f;
}

}  // namespace

void StorageFabric::add_reads(Bytes per_client, Seconds start, BytesPerSecond cap_per_client) {
  const int64_t s = cluster_.storage_nodes, d = cluster_.storage_node.ssd_count;
  const double client_scale = static_cast<double>(m_) / static_cast<double>(s);
  for (int64_t c = 0; c < k_; ++c) {
    const int demand = cap_per_client.value() > 0 ? link(fmt::format("client{}:demand{}", c, net_.flows().size()),
                                                         ResourceClass::demand, cap_per_client * client_scale)
                                                  : -1;
    auto read = [&](int64_t node, int64_t ssd, double bytes) {
      const size_t cu = static_cast<size_t>(c), nu = static_cast<size_t>(node);
      sim::FlowSpec f = make_flow({storage_tx_[nu], core_storage_up_, core_client_down_, client_rx_[cu],
                                   client_ops_[cu], client_cpu_[cu], demand},
                                  bytes, start);
      f.disks = {{disk_of(node, ssd), sim::DiskOp::read}};
      add(FlowKind::read, std::move(f));
    };
    if (fold_.per_chain) {
      // Every chain carries an equal share; client c reads chain j from replica (c + j) mod R, so reads
      // spread evenly over replicas (for a client count that is a multiple of R).
      const auto table = rotating_chain_table(m_, d, fs_.replication);
      for (size_t j = 0; j < table.size(); ++j) {
        std::vector<StorageTarget> serving;  // the chain's replicas that serve reads (all but a down node)
        for (const StorageTarget& t : table[j])
          if (t.node != down_) serving.push_back(t);
        const StorageTarget& t = serving[(static_cast<size_t>(c) + j) % serving.size()];
        read(t.node, t.ssd, per_client.value() / static_cast<double>(s * d));
      }
      continue;
    }
    const int64_t disks = fold_.aggregate_ssds ? 1 : d;
    for (int64_t v = 0; v < m_; ++v) {
      if (v == down_) continue;  // its share is read from its chain peers (storage_perturbations.h)
      const double share = 1.0 + takeover_share(v, down_, s, fs_.replication);
      for (int64_t i = 0; i < disks; ++i) read(v, i, share * per_client.value() / static_cast<double>(s * disks));
    }
  }
}

void StorageFabric::add_writes(Bytes per_client, Seconds start) {
  if (down_ >= 0) throw std::invalid_argument("storage_node_down is modelled for reads only");
  const int64_t s = cluster_.storage_nodes, d = cluster_.storage_node.ssd_count;
  for (int64_t c = 0; c < k_; ++c) {
    const size_t cu = static_cast<size_t>(c);
    // One chain write: the client sends to the head, each replica writes its SSD and forwards (CRAQ).
    auto chain_write = [&](const std::vector<StorageTarget>& chain, double bytes) {
      const size_t head = static_cast<size_t>(chain[0].node);
      sim::FlowSpec f = make_flow(
          {client_tx_[cu], client_ops_[cu], core_client_up_, core_storage_down_, storage_rx_[head]}, bytes, start);
      f.disks = {{disk_of(chain[0].node, chain[0].ssd), sim::DiskOp::write}};
      add(FlowKind::write_head, std::move(f));
      for (size_t r = 1; r < chain.size(); ++r) {
        const size_t from = static_cast<size_t>(chain[r - 1].node), to = static_cast<size_t>(chain[r].node);
        sim::FlowSpec h =
            make_flow({storage_tx_[from], core_storage_up_, core_storage_down_, storage_rx_[to]}, bytes, start);
        h.disks = {{disk_of(chain[r].node, chain[r].ssd), sim::DiskOp::write}};
        add(FlowKind::write_forward, std::move(h));
      }
    };
    if (fold_.per_chain) {
      for (const auto& chain : rotating_chain_table(m_, d, fs_.replication)) {
        chain_write(chain, per_client.value() / static_cast<double>(s * d));
      }
      continue;
    }
    // Per (client, node) pair: the node's chains as one chain over nodes v, v+1, ... (the rotating layout).
    const int64_t disks = fold_.aggregate_ssds ? 1 : d;
    for (int64_t v = 0; v < m_; ++v) {
      for (int64_t i = 0; i < disks; ++i) {
        std::vector<StorageTarget> chain;
        for (int64_t r = 0; r < fs_.replication; ++r) chain.push_back({(v + r) % m_, i});
        chain_write(chain, per_client.value() / static_cast<double>(s * disks));
      }
    }
  }
}

void StorageFabric::add_background(BytesPerSecond client_rx, BytesPerSecond client_tx) {
  // Background traffic is a fixed load at its stated rate (it is not a storage flow and does not yield
  // to one): it is reserved on every resource it crosses, and storage flows share what is left.
  // (Max-min fairness between it and storage flows would depend on how many flows a fold aggregates.)
  const double client_scale = static_cast<double>(m_) / static_cast<double>(cluster_.storage_nodes);
  for (int64_t c = 0; c < k_; ++c) {
    const size_t cu = static_cast<size_t>(c);
    reserve(client_rx_[cu], client_rx * client_scale);
    reserve(core_client_down_, client_rx * client_scale);
    reserve(client_tx_[cu], client_tx * client_scale);
    reserve(core_client_up_, client_tx * client_scale);
  }
}

std::vector<std::string> StorageFabric::folds() const {
  std::vector<std::string> out;
  const int64_t n = cluster_.clients, s = cluster_.storage_nodes, d = cluster_.storage_node.ssd_count;
  if (k_ < n) {
    out.push_back(
        fmt::format("clients: {} of {} simulated (all alike); storage-node resources scaled by {}/{}", k_, n, k_, n));
  }
  if (m_ < s) {
    out.push_back(fmt::format(
        "storage_nodes: {} of {} simulated (balanced chain table); client resources scaled by {}/{}", m_, s, m_, s));
  }
  if (fold_.aggregate_ssds && d > 1) {
    out.push_back(fmt::format("ssds: the {} SSDs of a node as one disk of {}x bandwidth (chunks spread evenly)", d, d));
  }
  if (!fold_.per_chain) {
    out.push_back("chains: flows aggregated per (client node, storage node) pair instead of per (client, chain)");
  }
  if (cluster_.storage_node.nic.count > 1 || cluster_.client_node.nic.count > 1) {
    out.push_back("nics: the NICs of a node as one port of their summed bandwidth");
  }
  if (core_client_up_ >= 0) {
    out.push_back("fabric: the leaf uplinks of each side as one link per direction (traffic spreads evenly)");
  }
  return out;
}

}  // namespace fathom::models::storage
