#include "models/storage/symmetric_rates.h"

#include <limits>
#include <utility>
#include <vector>

namespace fathom::models::storage {
namespace {

using Limit = std::pair<ResourceClass, double>;  // a per-client bound in bytes/s

SymmetricRate tightest(const std::vector<Limit>& limits) {
  SymmetricRate r;
  double best = std::numeric_limits<double>::infinity(), capacity = best;
  for (const auto& [c, v] : limits) {  // ties go to the first listed (the order of kResourceClasses)
    if (v < best * (1 - 1e-9)) {
      best = v;
      r.bottleneck = c;
    }
    if (c != ResourceClass::demand) capacity = std::min(capacity, v);
  }
  r.per_client = BytesPerSecond(best);
  r.capacity_per_client = BytesPerSecond(capacity);
  return r;
}

}  // namespace

SymmetricRate symmetric_read_rate(const hw::StorageClusterSpec& cl, const FilesystemSpec& fs, int64_t clients,
                                  BytesPerSecond demand, BytesPerSecond cpu) {
  const double n = static_cast<double>(clients), s = static_cast<double>(cl.storage_nodes);
  const double d = static_cast<double>(cl.storage_node.ssd_count);
  std::vector<Limit> l = {
      {ResourceClass::ssd, s * d * cl.storage_node.ssd.read_bandwidth.value() / n},
      {ResourceClass::storage_nic, s * cl.storage_node.nic.node_bandwidth().value() / n},
  };
  if (cl.network.kind == hw::StorageFabricKind::two_layer) {
    const double os = cl.network.oversubscription;
    l.push_back({ResourceClass::network, s * cl.storage_node.nic.node_line_rate().value() / os / n});
    l.push_back({ResourceClass::network, cl.client_node.nic.node_line_rate().value() / os});
  }
  l.push_back({ResourceClass::client_nic, cl.client_node.nic.node_bandwidth().value()});
  l.push_back({ResourceClass::client_ops, fs.ops_per_s() * fs.io_size.value()});
  if (cpu.value() > 0) l.push_back({ResourceClass::cpu, cpu.value()});
  if (demand.value() > 0) l.push_back({ResourceClass::demand, demand.value()});
  return tightest(l);
}

SymmetricRate symmetric_write_rate(const hw::StorageClusterSpec& cl, const FilesystemSpec& fs, int64_t clients) {
  const double n = static_cast<double>(clients), s = static_cast<double>(cl.storage_nodes);
  const double d = static_cast<double>(cl.storage_node.ssd_count), r = static_cast<double>(fs.replication);
  const double nic = cl.storage_node.nic.node_bandwidth().value();
  std::vector<Limit> l = {
      {ResourceClass::ssd, s * d * cl.storage_node.ssd.write_bandwidth.value() / (r * n)},
      {ResourceClass::storage_nic, s * nic / (r * n)},  // rx: head writes plus forwarded copies
  };
  if (r > 1) l.push_back({ResourceClass::storage_nic, s * nic / ((r - 1) * n)});  // tx: forwarding
  if (cl.network.kind == hw::StorageFabricKind::two_layer) {
    const double os = cl.network.oversubscription;
    const double side = s * cl.storage_node.nic.node_line_rate().value() / os;
    l.push_back({ResourceClass::network, side / (r * n)});  // into storage leaves: head + forwards
    if (r > 1) l.push_back({ResourceClass::network, side / ((r - 1) * n)});
    l.push_back({ResourceClass::network, cl.client_node.nic.node_line_rate().value() / os});
  }
  l.push_back({ResourceClass::client_nic, cl.client_node.nic.node_bandwidth().value()});
  l.push_back({ResourceClass::client_ops, fs.ops_per_s() * fs.io_size.value()});
  return tightest(l);
}

}  // namespace fathom::models::storage
