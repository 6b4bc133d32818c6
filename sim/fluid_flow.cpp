#include "sim/fluid_flow.h"

#include <dlfcn.h>

#include <simgrid/kernel/resource/Action.hpp>
#include <simgrid/kernel/routing/NetPoint.hpp>
#include <simgrid/kernel/routing/NetZoneImpl.hpp>
#include <simgrid/s4u.hpp>
#include <simgrid/simix.hpp>
#include <stdexcept>

namespace fathom::sim {
namespace {

namespace sg4 = simgrid::s4u;
using simgrid::kernel::resource::Action;

// NetworkModel::communicate(src, dst, size, rate) called through a model's vtable (Itanium C++ ABI: the
// object pointer is the first argument).
using Communicate = Action* (*)(void* model, sg4::Host* src, sg4::Host* dst, double size, double rate);

// communicate()'s slot in every NetworkModel vtable: where NetworkConstantModel's vtable holds its
// (exported) communicate. The Itanium vtable symbol points at offset-to-top and the typeinfo, then the
// virtual functions.
int communicate_slot() {
  static const int slot = [] {
    const void* fn =
        dlsym(RTLD_DEFAULT, "_ZN7simgrid6kernel8resource20NetworkConstantModel11communicateEPNS_3s4u4HostES5_dd");
    const auto* table =
        static_cast<void* const*>(dlsym(RTLD_DEFAULT, "_ZTVN7simgrid6kernel8resource20NetworkConstantModelE"));
    if (fn && table) {
      for (int i = 0; i < 32; ++i) {
        if (table[2 + i] == fn) return i;
      }
    }
    return -1;
  }();
  if (slot < 0) throw std::logic_error("fluid flows: NetworkModel::communicate not found in this SimGrid's vtables");
  return slot;
}

const FluidFlowListener* listener = nullptr;  // set while run_with_fluid_flow_listener runs

void set_fluid_flow_listener(const FluidFlowListener* l) { listener = l; }

void install_state_hook() {
  static const bool installed = [] {
    sg4::Link::on_communication_state_change_cb([](simgrid::kernel::resource::NetworkAction& action, Action::State) {
      // NetworkAction (not in SimGrid's public headers) derives from Action alone.
      if (listener) (*listener)(reinterpret_cast<Action&>(action));
    });
    return true;
  }();
  (void)installed;
}

}  // namespace

FluidFlow* start_fluid_flow(sg4::Host* source, sg4::Host* sink, double bytes) {
  const int slot = communicate_slot();
  install_state_hook();
  return simgrid::kernel::actor::simcall_answered([source, sink, bytes, slot] {
    void* model = source->get_netpoint()->get_englobing_zone()->get_network_model().get();
    const auto communicate = reinterpret_cast<Communicate>((*static_cast<void* const* const*>(model))[slot]);
    return communicate(model, source, sink, bytes, -1.0);  // -1: no rate bound, as an s4u::Comm's default
  });
}

void release_fluid_flow(FluidFlow* flow) {
  if (flow) flow->unref();
}

void run_with_fluid_flow_listener(sg4::Engine& engine, const FluidFlowListener& l) {
  struct Clear {
    ~Clear() { set_fluid_flow_listener(nullptr); }
  } clear;
  set_fluid_flow_listener(&l);
  engine.run();
}

}  // namespace fathom::sim
