#include "models/storage/kv_request_read.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace fathom::models::storage {

KvReadClient kv_read_client(const hw::StorageClusterSpec& cluster, const FilesystemSpec& fs, Bytes block_size) {
  if (!(block_size.value() > 0) || !(fs.ops_per_s() > 0)) throw std::invalid_argument("kv read client: bad input");
  return KvReadClient{
      .path = fs.io_path == ClientIoPath::fuse ? "fuse" : "usrbio",
      .io_size = block_size,
      .per_io_cost = Seconds(1.0 / fs.ops_per_s()),
      .first_byte_latency =
          cluster.client_node.nic.latency + cluster.storage_node.nic.latency + cluster.storage_node.ssd.read_latency,
  };
}

KvRequestReadTime kv_request_read_time(const KvReadClient& c, const KvRequestRead& r) {
  if (r.bytes.value() < 0 || !(c.io_size.value() > 0) || !(r.node_rate.value() > 0) || !(r.utilisation >= 0) ||
      r.utilisation > 1) {
    throw std::invalid_argument("kv request read: bad input");
  }
  KvRequestReadTime t;
  if (r.bytes.value() == 0) return t;
  t.ios = static_cast<int64_t>(std::ceil(r.bytes.value() / c.io_size.value()));
  t.latency = c.first_byte_latency;
  t.software = c.per_io_cost * static_cast<double>(t.ios);
  t.transfer = r.bytes / r.node_rate;
  const double rho = std::min(r.utilisation, kKvReadMaxUtilisation);
  t.queueing = t.transfer * (rho / (2.0 * (1.0 - rho)));
  t.total = t.latency + t.software + t.transfer + t.queueing;
  return t;
}

}  // namespace fathom::models::storage
