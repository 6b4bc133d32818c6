#include "hw/storage_spec.h"

namespace fathom::hw {
namespace {

StorageNicSpec read_nic(const SpecReader& r) {
  StorageNicSpec n;
  n.count = r.at_most("count", r.at_least("count", r.integer("count"), 1), 64);
  n.bandwidth = r.quantity<BytesPerSecond>("bandwidth");
  n.achievable_bandwidth = r.quantity<BytesPerSecond>("achievable_bandwidth");
  n.latency = r.quantity<Seconds>("latency");
  r.positive("bandwidth", n.bandwidth.value());
  r.positive("achievable_bandwidth", n.achievable_bandwidth.value());
  if (n.achievable_bandwidth > n.bandwidth) r.fail("achievable_bandwidth", "exceeds the line rate \"bandwidth\"");
  r.finish();
  return n;
}

SsdSpec read_ssd(const SpecReader& r) {
  SsdSpec s;
  s.capacity = r.quantity<Bytes>("capacity");
  s.read_bandwidth = r.quantity<BytesPerSecond>("read_bandwidth");
  s.write_bandwidth = r.quantity<BytesPerSecond>("write_bandwidth");
  s.read_latency = r.quantity_or<Seconds>("read_latency", "80us",
                                          "a typical NVMe 4 KiB random-read latency; used only for KV-read latency");
  r.positive("capacity", s.capacity.value());
  r.positive("read_bandwidth", s.read_bandwidth.value());
  r.positive("write_bandwidth", s.write_bandwidth.value());
  r.finish();
  return s;
}

StorageNetworkSpec read_network(const SpecReader& r) {
  StorageNetworkSpec n;
  n.technology = r.choice("technology", {"roce", "infiniband"});
  n.kind = r.choice("kind", {"non_blocking", "two_layer"}) == "two_layer" ? StorageFabricKind::two_layer
                                                                          : StorageFabricKind::non_blocking;
  if (n.kind == StorageFabricKind::two_layer) {
    n.oversubscription = r.number("oversubscription");
    if (n.oversubscription < 1.0) r.fail("oversubscription", "must be at least 1 (1 = non-blocking)");
  }
  r.finish();
  return n;
}

}  // namespace

Bytes StorageClusterSpec::raw_capacity() const {
  return storage_node.ssd.capacity * static_cast<double>(storage_nodes * storage_node.ssd_count);
}

StorageClusterSpec read_storage_cluster_spec(const SpecReader& r) {
  StorageClusterSpec c;
  c.storage_nodes = r.at_most("storage_nodes", r.at_least("storage_nodes", r.integer("storage_nodes"), 1), 1'000'000);
  const SpecReader node = r.child("storage_node");
  c.storage_node.name = node.text("name");
  c.storage_node.nic = read_nic(node.child("nic"));
  c.storage_node.ssd_count = node.at_most("ssd_count", node.at_least("ssd_count", node.integer("ssd_count"), 1), 1024);
  c.storage_node.ssd = read_ssd(node.child("ssd"));
  node.finish();
  c.clients = r.at_most("clients", r.at_least("clients", r.integer("clients"), 1), 10'000'000);
  const SpecReader client = r.child("client_node");
  c.client_node.name = client.text("name");
  c.client_node.nic = read_nic(client.child("nic"));
  client.finish();
  c.network = read_network(r.child("network"));
  r.finish();
  return c;
}

}  // namespace fathom::hw
