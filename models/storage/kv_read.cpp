#include "models/storage/kv_read.h"

#include <algorithm>
#include <stdexcept>

#include "models/storage/symmetric_rates.h"

namespace fathom::models::storage {

KvReadResult kv_read_throughput(const hw::StorageClusterSpec& cluster, const FilesystemSpec& fs, const KvReadQuery& q) {
  if (q.clients < 1 || !(q.block_size.value() > 0)) throw std::invalid_argument("kv read: bad query");
  FilesystemSpec per_block = fs;
  per_block.io_size = q.block_size;
  const SymmetricRate r = symmetric_read_rate(cluster, per_block, q.clients, q.demand_per_client);
  KvReadResult out;
  out.per_client = r.per_client;
  out.capacity_per_client = r.capacity_per_client;
  out.demand_met = r.bottleneck == ResourceClass::demand;
  out.bottleneck = r.bottleneck;
  out.utilisation = std::min(1.0, r.per_client / r.capacity_per_client);
  const double rho = std::min(out.utilisation, 0.99);
  const BytesPerSecond link =
      std::min(cluster.client_node.nic.achievable_bandwidth, cluster.storage_node.nic.achievable_bandwidth);
  const Seconds transfer = q.block_size / link;
  out.block_latency = Seconds(1.0 / per_block.ops_per_s()) + cluster.client_node.nic.latency +
                      cluster.storage_node.nic.latency + cluster.storage_node.ssd.read_latency + transfer / (1.0 - rho);
  return out;
}

}  // namespace fathom::models::storage
