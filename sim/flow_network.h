#pragma once
// A generic fluid flow network on SimGrid (ARCHITECTURE.md §3, level `flow`): named links and disks,
// a batch of flows with explicit routes, max-min fair sharing. No storage, GPU or model knowledge.
//
// Contract:
//  - Build a FlowNetwork (plain data): add_link(), add_disk(), add_flow(); then simulate_flows(net).
//  - A link is a capacity in bytes/s with a latency. `shared` links are divided max-min fairly among
//    the flows crossing them (SimGrid SHARED); a fatpipe link gives every flow its full bandwidth
//    (SimGrid FATPIPE), e.g. an idealised non-blocking switch core.
//  - A disk has independent read and write capacities (as a SimGrid Disk has), shared max-min by the
//    flows that read from it or write to it. A flow may read or write any number of disks along its
//    route: the disk is then one more constraint on the same fluid flow, so a flow limited by its
//    network path leaves the unused disk bandwidth to other flows. (SimGrid 3.32's Io activities run
//    separately from Comms and cannot express one streaming flow through a disk and a NIC, so each disk
//    direction is simulated as a SimGrid link with that bandwidth; the semantics are a Disk's.)
//  - A flow: route = link ids (each at most once; SimGrid would silently drop a repeat), disk accesses,
//    bytes, start time, optional rate cap (bytes/s, e.g. a per-flow protocol limit), and `background`:
//    a background flow competes for bandwidth but does not keep the simulation alive; it is cut off when
//    the last foreground flow ends, and only the bytes it moved until then are counted.
//  - Results: per-flow finish time (relative to the simulation start; background flows report the cut
//    time) and bytes moved; per-link and per-disk busy bytes (the sum over flows of bytes moved); the
//    makespan (last foreground finish). Latency: a flow of B bytes alone on a path of latency L and
//    bottleneck bandwidth W finishes at L + B/W (CM02, no correction factors).
//  - Repeated simulations in one process are supported (see sim/simgrid_engine.h); each run is
//    independent of earlier ones. Inputs are validated (std::invalid_argument naming the flow or link).

#include <string>
#include <vector>

#include "sim/units.h"

namespace fathom::sim {

struct LinkSpec {
  std::string name;
  BytesPerSecond bandwidth;
  Seconds latency{0.0};
  bool shared = true;  // false: fatpipe (every flow gets the full bandwidth)
};

struct DiskSpec {
  std::string name;
  BytesPerSecond read_bandwidth;
  BytesPerSecond write_bandwidth;
};

enum class DiskOp { read, write };

struct DiskAccess {
  int disk = -1;  // id from FlowNetwork::add_disk
  DiskOp op = DiskOp::read;
};

struct FlowSpec {
  std::vector<int> links;         // ids from FlowNetwork::add_link, in path order, each at most once
  std::vector<DiskAccess> disks;  // disks read or written by this flow (each disk+op at most once)
  Bytes bytes;                    // > 0
  Seconds start{0.0};             // >= 0, relative to the simulation start
  BytesPerSecond rate_cap{0.0};   // 0 = uncapped
  bool background = false;        // see the contract above
};

// A platform plus a batch of flows: plain data, built by models/, run by simulate_flows().
class FlowNetwork {
 public:
  int add_link(LinkSpec link);
  int add_disk(DiskSpec disk);
  int add_flow(FlowSpec flow);  // throws std::invalid_argument on a bad id, a repeat or a bad value
  void set_link_bandwidth(int link, BytesPerSecond bandwidth);  // before simulate_flows; must stay positive

  const std::vector<LinkSpec>& links() const { return links_; }
  const std::vector<DiskSpec>& disks() const { return disks_; }
  const std::vector<FlowSpec>& flows() const { return flows_; }

 private:
  std::vector<LinkSpec> links_;
  std::vector<DiskSpec> disks_;
  std::vector<FlowSpec> flows_;
};

struct FlowResults {
  std::vector<Seconds> finish;    // per flow, relative to the start of the simulation
  std::vector<Bytes> moved;       // per flow (== bytes for foreground flows)
  std::vector<Bytes> link_bytes;  // per link: sum of bytes moved by the flows crossing it
  std::vector<Bytes> disk_read_bytes;
  std::vector<Bytes> disk_write_bytes;
  Seconds makespan{0.0};  // last foreground finish
};

// Runs the batch on SimGrid (max-min fair fluid sharing) and returns the results.
FlowResults simulate_flows(const FlowNetwork& network);

}  // namespace fathom::sim
