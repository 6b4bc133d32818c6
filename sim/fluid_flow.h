#pragma once
// One fluid flow on SimGrid's network model without an s4u::Comm (issue #16). Internal to sim/: the flow
// drivers (task_engine_flows.cpp, flow_network.cpp) start their flows here.
//
// Why: SimGrid 3.32 makes every host-to-host Comm (Comm::sendto_init) a detached activity kept in the
// maestro's activity list, and CommImpl::finish removes it with std::list::remove, a scan of every
// host-to-host Comm alive. A run with F flows, up to N of them in flight, therefore cost O(F x N) in
// that scan alone: 85 % of a 18,000-flow storage run and the largest single cost of an unfolded training
// step (measured with perf: docs/storage.md, docs/training.md). A flow started here is the network
// model's own action, created by the same NetworkModel::communicate call CommImpl::start makes (same
// size, rate -1 = no bound, same creation order), so the max-min solution and every finish time are
// unchanged; it has no activity, so its end costs O(1) bookkeeping.
//
// Contract:
//  - start_fluid_flow() must be called from an actor while the engine runs; it returns the model action,
//    owned by the caller: release_fluid_flow() it once it has ended (or been cancelled) and is no longer
//    read. An ended flow keeps its share of the max-min system until it is released, so release it at
//    the simulated time it ended (from the actor woken by the listener, as CommImpl::finish does for a
//    Comm), or the flows it shared links with keep their old rates. Reading it (get_state, get_finish_time,
//    get_remains) or cancel() must happen from an actor through simgrid::kernel::actor::simcall_answered or after the
//    engine has returned.
//  - Ends are reported to the listener of run_with_fluid_flow_listener(), from
//    SimGrid's Link::on_communication_state_change, in the kernel, as soon as the model changes a flow's
//    state (FINISHED or FAILED); the listener may only record the event and notify a condition variable.
//  - SimGrid's NetworkModel is not a public class in 3.32: its communicate() is found once, at first use,
//    by its slot in the (exported) vtable of NetworkConstantModel, a sibling model. A SimGrid whose
//    layout does not match throws std::logic_error at the first flow, never a silent wrong call.

#include <functional>

namespace simgrid::s4u {
class Engine;
class Host;
}  // namespace simgrid::s4u
namespace simgrid::kernel::resource {
class Action;
}

namespace fathom::sim {

using FluidFlow = simgrid::kernel::resource::Action;

FluidFlow* start_fluid_flow(simgrid::s4u::Host* source, simgrid::s4u::Host* sink, double bytes);
void release_fluid_flow(FluidFlow* flow);

using FluidFlowListener = std::function<void(FluidFlow& flow)>;
// Runs `engine` to its end with `listener` hearing every flow's end, and clears the listener afterwards,
// also when the run throws. SimGrid runs one simulation at a time (sim/simgrid_engine.h), so one listener
// hears all the flows of the run.
void run_with_fluid_flow_listener(simgrid::s4u::Engine& engine, const FluidFlowListener& listener);

}  // namespace fathom::sim
