#include "sim/flow_network.h"

#include <fmt/format.h>
#include <simgrid/kernel/resource/Action.hpp>
#include <simgrid/s4u.hpp>
#include <simgrid/simix.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "sim/fluid_flow.h"
#include "sim/simgrid_engine.h"

namespace fathom::sim {

namespace sg4 = simgrid::s4u;

int FlowNetwork::add_link(LinkSpec link) {
  if (!(link.bandwidth.value() > 0)) throw std::invalid_argument("link " + link.name + ": bandwidth must be positive");
  if (link.latency.value() < 0) throw std::invalid_argument("link " + link.name + ": latency must not be negative");
  links_.push_back(std::move(link));
  return static_cast<int>(links_.size()) - 1;
}

void FlowNetwork::set_link_bandwidth(int link, BytesPerSecond bandwidth) {
  if (link < 0 || link >= static_cast<int>(links_.size())) throw std::invalid_argument("unknown link id");
  if (!(bandwidth.value() > 0))
    throw std::invalid_argument("link " + links_[link].name + ": bandwidth must be positive");
  links_[static_cast<size_t>(link)].bandwidth = bandwidth;
}

int FlowNetwork::add_disk(DiskSpec disk) {
  if (!(disk.read_bandwidth.value() > 0) || !(disk.write_bandwidth.value() > 0)) {
    throw std::invalid_argument("disk " + disk.name + ": read and write bandwidths must be positive");
  }
  disks_.push_back(std::move(disk));
  return static_cast<int>(disks_.size()) - 1;
}

int FlowNetwork::add_flow(FlowSpec flow) {
  const std::string who = fmt::format("flow {}", flows_.size());
  if (!(flow.bytes.value() > 0)) throw std::invalid_argument(who + ": bytes must be positive");
  if (flow.start.value() < 0) throw std::invalid_argument(who + ": start must not be negative");
  if (flow.rate_cap.value() < 0) throw std::invalid_argument(who + ": rate cap must not be negative");
  if (flow.links.empty() && flow.disks.empty()) throw std::invalid_argument(who + ": a flow needs a link or a disk");
  std::set<int> seen;
  for (int l : flow.links) {
    if (l < 0 || l >= static_cast<int>(links_.size())) throw std::invalid_argument(who + ": unknown link id");
    if (!seen.insert(l).second) throw std::invalid_argument(who + ": link " + links_[l].name + " appears twice");
  }
  std::set<std::pair<int, int>> seen_disks;
  for (const DiskAccess& d : flow.disks) {
    if (d.disk < 0 || d.disk >= static_cast<int>(disks_.size())) throw std::invalid_argument(who + ": unknown disk");
    if (!seen_disks.insert({d.disk, static_cast<int>(d.op)}).second) {
      throw std::invalid_argument(who + ": disk " + disks_[d.disk].name + " accessed twice the same way");
    }
  }
  flows_.push_back(std::move(flow));
  return static_cast<int>(flows_.size()) - 1;
}

namespace {

// The SimGrid side of one simulation: a zone with one link per link and per disk direction, one source
// host per flow whose outgoing route is the flow's path (plus a private cap link if it has a rate cap), and one sink
// host with an empty incoming route.
struct Platform {
  std::vector<sg4::Link*> links;
  std::vector<sg4::Link*> disk_read;
  std::vector<sg4::Link*> disk_write;
  std::vector<sg4::Host*> sources;
  sg4::Host* sink = nullptr;
};

Platform build_platform(const FlowNetwork& net) {
  std::string prefix;
  sg4::NetZone* zone = SimgridEngine::instance().new_star_zone(&prefix);
  Platform p;
  auto make_link = [&](const std::string& name, double bandwidth, bool shared) {
    return make_fluid_link(zone, prefix + name, bandwidth, shared);  // latency: see begin_of
  };
  for (const LinkSpec& l : net.links()) {
    p.links.push_back(make_link("link:" + l.name, l.bandwidth.value(), l.shared));
  }
  for (const DiskSpec& d : net.disks()) {
    p.disk_read.push_back(make_link("disk:" + d.name + ":read", d.read_bandwidth.value(), true));
    p.disk_write.push_back(make_link("disk:" + d.name + ":write", d.write_bandwidth.value(), true));
  }
  p.sink = zone->create_host(prefix + "sink", 1.0);
  zone->add_route(nullptr, p.sink->get_netpoint(), nullptr, nullptr, {}, false);
  p.sink->seal();
  for (size_t i = 0; i < net.flows().size(); ++i) {
    const FlowSpec& f = net.flows()[i];
    std::vector<sg4::LinkInRoute> route;
    for (const DiskAccess& d : f.disks) {
      if (d.op == DiskOp::read) route.emplace_back(p.disk_read[d.disk]);
    }
    for (int l : f.links) route.emplace_back(p.links[l]);
    for (const DiskAccess& d : f.disks) {
      if (d.op == DiskOp::write) route.emplace_back(p.disk_write[d.disk]);
    }
    // A rate cap is a private link (SimGrid 3.32 refuses Comm::set_rate on host-to-host comms).
    if (f.rate_cap.value() > 0) route.emplace_back(make_link("cap" + std::to_string(i), f.rate_cap.value(), true));
    sg4::Host* h = zone->create_host(prefix + "flow" + std::to_string(i), 1.0);
    zone->add_route(h->get_netpoint(), nullptr, nullptr, nullptr, route, false);
    h->seal();
    p.sources.push_back(h);
  }
  zone->seal();
  return p;
}

// When a flow starts moving bytes: its start plus its path latency. CM02 gives a flow no bandwidth during
// its latency phase, so this is the same model; it is applied here because SimGrid 3.32 crashes in its
// lazy max-min update when a second simulation in one process has links with latency.
double begin_of(const FlowNetwork& net, size_t i) {
  const FlowSpec& f = net.flows()[i];
  double latency = 0.0;
  for (int l : f.links) latency += net.links()[static_cast<size_t>(l)].latency.value();
  return f.start.value() + latency;
}

// The flows of one simulation in progress: SimGrid's actions (sim/fluid_flow.h). An ended flow keeps its
// share of the max-min system until released, so the driver wakes at every end and releases the ended
// flows at that same simulated time (as CommImpl::finish does for a Comm); it sleeps until the last
// foreground flow has ended.
struct FlowRun {
  std::vector<FluidFlow*> action;                      // per flow while in flight (owned); nullptr once released
  std::unordered_map<const FluidFlow*, size_t> index;  // flows in flight -> flow index
  std::vector<size_t> ended;                           // flows ended since the driver last ran
  std::vector<double> finish;                          // per flow: absolute end time
  size_t foreground_left = 0;
  sg4::MutexPtr mutex;
  sg4::ConditionVariablePtr wake;

  // SimGrid's report that `flow` changed state (in the kernel, sim/fluid_flow.h).
  void on_flow_state(const FluidFlow& flow) {
    if (flow.get_state() != simgrid::kernel::resource::Action::State::FINISHED) return;
    const auto it = index.find(&flow);
    if (it == index.end()) return;
    finish[it->second] = flow.get_finish_time();
    ended.push_back(it->second);
    index.erase(it);
    wake->notify_all();
  }

  // Releases the flows ended since the last call (from the driver actor).
  void release_ended(const FlowNetwork& net) {
    if (ended.empty()) return;
    simgrid::kernel::actor::simcall_answered([&] {
      for (size_t i : ended) {
        release_fluid_flow(action[i]);
        action[i] = nullptr;
        if (!net.flows()[i].background) --foreground_left;
      }
    });
    ended.clear();
  }
};

// Starts every flow at its time, waits for the foreground ones, then cuts the background ones off.
void drive(const FlowNetwork& net, const Platform& p, double t0, FlowRun& run, std::vector<double>& background_moved) {
  const auto& flows = net.flows();
  run.mutex = sg4::Mutex::create();
  run.wake = sg4::ConditionVariable::create();
  std::unique_lock lock(*run.mutex);
  std::vector<size_t> order(flows.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return begin_of(net, a) < begin_of(net, b); });
  double last_begin = t0;
  for (size_t i : order) {
    const FlowSpec& f = flows[i];
    const double begin = t0 + begin_of(net, i);
    if (begin > last_begin) {  // one wake-up per distinct start time and per flow end, not per flow
      do {
        run.release_ended(net);
      } while (run.wake->wait_until(lock, begin) != std::cv_status::timeout);
      last_begin = begin;
    }
    // Whole bytes, as an s4u::Comm's payload size.
    const double bytes = static_cast<double>(static_cast<uint64_t>(std::llround(f.bytes.value())));
    run.action[i] = start_fluid_flow(p.sources[i], p.sink, bytes);
    run.index.emplace(run.action[i], i);
    if (!f.background) ++run.foreground_left;
  }
  for (run.release_ended(net); run.foreground_left > 0; run.release_ended(net)) run.wake->wait(lock);
  simgrid::kernel::actor::simcall_answered([&] {
    for (size_t i = 0; i < flows.size(); ++i) {
      if (!flows[i].background) continue;
      FluidFlow* a = run.action[i];  // nullptr: ended (and released) before the cut
      background_moved[i] = std::max(0.0, flows[i].bytes.value() - (a ? a->get_remains() : 0.0));
      if (a) a->cancel();
    }
  });
}

}  // namespace

FlowResults simulate_flows(const FlowNetwork& net) {
  const size_t n = net.flows().size();
  FlowResults r;
  r.finish.assign(n, Seconds(0.0));
  r.moved.assign(n, Bytes(0.0));
  r.link_bytes.assign(net.links().size(), Bytes(0.0));
  r.disk_read_bytes.assign(net.disks().size(), Bytes(0.0));
  r.disk_write_bytes.assign(net.disks().size(), Bytes(0.0));
  if (n == 0) return r;

  SimgridEngine& sg = SimgridEngine::instance();
  const Platform p = build_platform(net);
  const double t0 = sg4::Engine::get_clock();
  FlowRun run;
  run.action.assign(n, nullptr);
  run.finish.assign(n, 0.0);
  std::vector<double> background_moved(n, 0.0);
  sg4::Actor::create("driver", p.sink, [&] { drive(net, p, t0, run, background_moved); });
  run_with_fluid_flow_listener(sg.engine(), [&run](FluidFlow& flow) { run.on_flow_state(flow); });
  const double end = sg4::Engine::get_clock();

  for (size_t i = 0; i < n; ++i) {
    const FlowSpec& f = net.flows()[i];
    if (f.background) {
      r.finish[i] = Seconds(end - t0);
      r.moved[i] = Bytes(background_moved[i]);
    } else {
      r.finish[i] = Seconds(run.finish[i] - t0);
      r.moved[i] = f.bytes;
      r.makespan = std::max(r.makespan, r.finish[i]);
    }
    for (int l : f.links) r.link_bytes[l] += r.moved[i];
    for (const DiskAccess& d : f.disks) {
      (d.op == DiskOp::read ? r.disk_read_bytes : r.disk_write_bytes)[d.disk] += r.moved[i];
    }
  }
  for (FluidFlow* a : run.action) release_fluid_flow(a);  // background flows cut off
  return r;
}

}  // namespace fathom::sim
