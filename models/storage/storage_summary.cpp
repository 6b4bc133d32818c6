#include "models/storage/storage_summary.h"

#include <algorithm>

namespace fathom::models::storage {
namespace {

// The class of highest utilisation; ties (within 1e-6) go to the earlier class of kResourceClasses.
ResourceClass bottleneck_of(const std::map<ResourceClass, double>& u) {
  ResourceClass best = ResourceClass::storage_nic;
  double best_u = -1.0;
  for (ResourceClass c : kResourceClasses) {
    const auto it = u.find(c);
    if (it != u.end() && it->second > best_u + 1e-6) {
      best = c;
      best_u = it->second;
    }
  }
  return best;
}

}  // namespace

StorageTotals& StorageTotals::operator+=(const StorageTotals& o) {
  read += o.read;
  write += o.write;
  ssd_read += o.ssd_read;
  ssd_write += o.ssd_write;
  client_network += o.client_network;
  forward += o.forward;
  return *this;
}

PhaseSummary summarise_phase(const std::string& name, const StorageFabric& fabric, const sim::FlowResults& r) {
  PhaseSummary p;
  p.name = name;
  p.time = r.makespan;
  const double scale = fabric.scale();
  const sim::FlowNetwork& net = fabric.network();
  for (size_t i = 0; i < net.flows().size(); ++i) {
    const Bytes moved = r.moved[i] * scale;
    switch (fabric.flow_kinds()[i]) {
      case FlowKind::read:
        p.totals.read += moved;
        p.totals.client_network += moved;
        break;
      case FlowKind::write_head:
        p.totals.write += moved;
        p.totals.client_network += moved;
        break;
      case FlowKind::write_forward:
        p.totals.forward += moved;
        break;
      case FlowKind::background:
        break;
    }
  }
  for (size_t d = 0; d < net.disks().size(); ++d) {
    p.totals.ssd_read += r.disk_read_bytes[d] * scale;
    p.totals.ssd_write += r.disk_write_bytes[d] * scale;
  }
  if (p.time.value() <= 0) return p;
  auto note = [&](ResourceClass c, double u) { p.utilisation[c] = std::max(p.utilisation[c], u); };
  for (size_t l = 0; l < net.links().size(); ++l) {  // background reservations count as busy
    const BytesPerSecond reserved = fabric.reserved()[l];
    note(fabric.link_classes()[l],
         (r.link_bytes[l] + reserved * p.time) / ((net.links()[l].bandwidth + reserved) * p.time));
  }
  for (size_t d = 0; d < net.disks().size(); ++d) {
    note(ResourceClass::ssd, r.disk_read_bytes[d] / (net.disks()[d].read_bandwidth * p.time));
    note(ResourceClass::ssd, r.disk_write_bytes[d] / (net.disks()[d].write_bandwidth * p.time));
  }
  p.bottleneck = bottleneck_of(p.utilisation);
  return p;
}

StorageSummary summarise_job(int64_t clients, std::vector<PhaseSummary> phases) {
  StorageSummary s;
  s.clients = clients;
  for (const PhaseSummary& p : phases) {
    s.job_time += p.time;
    s.totals += p.totals;
  }
  for (const PhaseSummary& p : phases) {
    for (const auto& [c, u] : p.utilisation) s.utilisation[c] += u * (p.time / s.job_time);
  }
  s.bottleneck = bottleneck_of(s.utilisation);
  s.phases = std::move(phases);
  return s;
}

}  // namespace fathom::models::storage
