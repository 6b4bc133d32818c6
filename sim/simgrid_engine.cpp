#include "sim/simgrid_engine.h"

#include <fmt/format.h>

#include <simgrid/kernel/routing/NetZoneImpl.hpp>
#include <simgrid/s4u.hpp>

#include <vector>

// AddressSanitizer cannot follow SimGrid's own stack switching between actors (it warns and may report
// false positives): sanitizer builds run actors on threads instead, which SimGrid schedules in the same order.
#if defined(__SANITIZE_ADDRESS__)
#define FATHOM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FATHOM_ASAN 1
#endif
#endif

namespace fathom::sim {

namespace sg4 = simgrid::s4u;

SimgridEngine& SimgridEngine::instance() {
  // The process-wide engine (see the header's contract): created once, on first use.
  static SimgridEngine holder;
  return holder;
}

SimgridEngine::SimgridEngine() {
  // Pure fluid max-min sharing: CM02 has no bandwidth or latency correction factors; cross traffic and
  // the TCP-window rate bound are off; precisions are tight so hand-computed cases match to 1e-9.
  std::vector<std::string> args = {"fathom",
                                   "--log=root.thres:critical",
                                   "--cfg=network/model:CM02",
                                   "--cfg=network/crosstraffic:0",
                                   "--cfg=network/TCP-gamma:0",
                                   "--cfg=maxmin/precision:1e-12",
                                   "--cfg=surf/precision:1e-12",
                                   "--cfg=contexts/stack-size:8192"};
#ifdef FATHOM_ASAN
  args.push_back("--cfg=contexts/factory:thread");
#endif
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  int argc = static_cast<int>(argv.size());
  engine_ = new sg4::Engine(&argc, argv.data());  // never deleted: SimGrid cannot shut down and restart
  // The root zone holds nothing; it only carries the models every later zone copies.
  root_ = sg4::create_empty_zone("fathom_root");
  root_->seal();
}

sg4::NetZone* SimgridEngine::new_star_zone(std::string* prefix) {
  *prefix = fmt::format("s{}:", simulations_++);  // not "s" + to_string(): GCC 12 warns (-Wrestrict)
  sg4::NetZone* zone = sg4::create_star_zone(*prefix + "zone");
  // A parentless zone (the sealed root cannot take children): give it the root's models by hand.
  simgrid::kernel::routing::NetZoneImpl* from = root_->get_impl();
  simgrid::kernel::routing::NetZoneImpl* to = zone->get_impl();
  to->set_network_model(from->get_network_model());
  to->set_cpu_pm_model(from->get_cpu_pm_model());
  to->set_cpu_vm_model(from->get_cpu_vm_model());
  to->set_disk_model(from->get_disk_model());
  to->set_host_model(from->get_host_model());
  return zone;
}

sg4::Link* make_fluid_link(sg4::NetZone* zone, const std::string& name, double bandwidth, bool shared) {
  sg4::Link* l = zone->create_link(name, bandwidth)->set_latency(0.0);
  if (!shared) l->set_sharing_policy(sg4::Link::SharingPolicy::FATPIPE);
  l->seal();
  return l;
}

}  // namespace fathom::sim
