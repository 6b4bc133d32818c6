#pragma once
// The one SimGrid engine of the process (ARCHITECTURE.md §7: the documented exception to "no global
// mutable state").
//
// Contract:
//  - simgrid::s4u::Engine is a process singleton in SimGrid 3.32: it cannot be destroyed and created
//    again, and its root NetZone is sealed by the first Engine::run(). fathom therefore creates it once,
//    on first use, configured for pure max-min fluid sharing (network/model CM02, no cross traffic, no
//    TCP window bound, tight precision), and every simulation builds its platform in a fresh, parentless
//    NetZone whose resources are sealed explicitly. Names are prefixed with a per-simulation tag so they
//    never collide with an earlier simulation's.
//  - Every SimGrid user in fathom goes through this header; nothing else may create an Engine.
//  - The simulated clock never goes back: a simulation measures its times relative to its start clock.
//  - Not thread-safe (SimGrid is not): simulations run one after another in one thread.
//  - Earlier simulations' platforms stay in memory until the process ends (SimGrid cannot drop them).

#include <string>

namespace simgrid::s4u {
class Engine;
class Link;
class NetZone;
}  // namespace simgrid::s4u

namespace fathom::sim {

// Owns the engine singleton and hands out fresh zones for successive simulations.
class SimgridEngine {
 public:
  static SimgridEngine& instance();

  simgrid::s4u::Engine& engine() { return *engine_; }
  // A new, parentless star zone with the engine's models, and the unique name prefix for its resources.
  simgrid::s4u::NetZone* new_star_zone(std::string* prefix);

 private:
  SimgridEngine();
  simgrid::s4u::Engine* engine_ = nullptr;
  simgrid::s4u::NetZone* root_ = nullptr;
  long simulations_ = 0;
};

// A sealed link of `bandwidth` bytes/s and no latency in `zone` (latency is applied by the callers as a
// delayed start: SimGrid 3.32 crashes in its lazy max-min update when a later simulation in one process
// has links with latency), shared max-min (`shared`) or a fatpipe (every flow gets the full bandwidth).
simgrid::s4u::Link* make_fluid_link(simgrid::s4u::NetZone* zone, const std::string& name, double bandwidth,
                                    bool shared);

}  // namespace fathom::sim
