#pragma once
// A schedule's program timed with per-unit durations and per-send delays (the `analytic` training step,
// step_analytic.h): the longest path of its task graph (task_graph.h) where each unit takes the duration of its
// own stages and kind (not the largest over the stages) and each data dependency between two ranks waits one
// pipeline send. The closed forms of bubble.h are its special case (uniform stages, no sends); with stages that
// differ (the embedding and head stages of every real model, uneven interleaved chunks) no closed form in the
// per-stage times is exact (docs/schedules.md §4), so the analytic level times the program instead, folded over
// the micro-batches (steady_makespan) so that its cost does not grow with them.
//
// Contract: program_makespan equals evaluate()'s makespan (evaluator.h) for the same per-unit durations and zero
// sends (tests/models/program_timing_test.cpp, 1e-12 relative); no link is shared (two sends on one boundary
// overlap), unlike the event level's pipeline links.

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "models/schedule/schedule.h"

namespace fathom::models::schedule {

// The task graph flattened in a topological order, each unit named by its timing class (the distinct
// (kind, passes, stages) of the program, schedule_digest.h's UnitSignature).
struct TimedProgram {
  int ranks = 0;
  int micro_batches = 0;
  std::vector<Unit> classes;    // one representative unit per timing class, by first appearance
  std::vector<int> unit_class;  // per vertex (topological order): index into `classes`
  std::vector<int>
      first_input;  // per vertex, and one past the last: its input edges [first_input[v], first_input[v+1])
  std::vector<int> input_source;  // per input edge: the source vertex (topological index, < v)
  std::vector<int> input_send;    // per input edge: -1 on one rank, else from_rank * ranks + to_rank
};

// From the flat task list (task_graph.h fill_task_list), in the order Boost's topological sort of build_task_graph
// gives: that graph's program field for field (tests/models/program_timing_test.cpp), without building it. Throws
// std::logic_error when the schedule deadlocks (a cycle).
TimedProgram compile_program(const Schedule& schedule);

// The longest path: `class_s` per timing class (TimedProgram::classes), `send_s` per ordered rank pair
// (from * ranks + to; only neighbours are read).
double program_makespan(const TimedProgram& program, const std::vector<double>& class_s,
                        const std::vector<double>& send_s);

// The makespan of schedule `name` (registry.h) at `micro_batches`, timed as program_makespan with `unit_s` per
// unit. Programs of at most `unit_budget` units are compiled and timed whole (exact). Larger ones are folded:
// the program is timed at the three largest counts m0 < m1 < m2 of the family (the counts the generator takes
// with the same steady state: the same parity, or multiples of P for interleaved_1f1b) within the budget, and,
// when m0 -> m1 -> m2 add the same time (the steady state has settled), extrapolated along that step; otherwise
// timed whole. The extrapolation is exact while the micro-batches of the steady state repeat with the period
// reached at m0; a bottleneck cycle that only overtakes beyond m2 is missed (the result is then a lower bound;
// the property test states the bound). Compiled programs are kept per (name, ranks, virtual stages,
// micro-batches) in `cache`.
//
// Contract: the cache holds at most `capacity` programs; when a new one would exceed it, it is emptied first (a
// plan sweep moves on from the (schedule, PP, VP) it priced, so whole-cache eviction loses little; a result
// never depends on what the cache holds). A reference from at() is valid until the next at(). Not thread-safe.
class ProgramCache {
 public:
  explicit ProgramCache(size_t capacity);
  const TimedProgram& at(const std::string& name, int ranks, int virtual_stages, int micro_batches);
  size_t size() const { return programs_.size(); }

 private:
  size_t capacity_;
  std::map<std::tuple<std::string, int, int, int>, TimedProgram> programs_;
};

// Programs one thread's ProgramCache keeps: assumed, a memory bound above what a plan sweep uses. Measured
// (tests/models/program_timing_test.cpp, the vectors' capacities): one program within kProgramUnitBudget at
// DeepSeek-V3's scale (dualpipe, PP16, 36 micro-batches: 1,074 units) holds 46,484 B; one timed whole past the
// budget (120 micro-batches, 2,418 units) 90,004 B. 256 of them: 12 to 23 MB per thread. The shipped training
// plans peak at 45 (gb200-nvl72), 107 (2048xh800) and 180 (1024xh100-tp2-pp8-vp4) programs per thread, so
// they never empty it.
inline constexpr size_t kProgramCacheEntries = 256;

// Micro-batches x ranks x virtual stages timed whole (about 2 to 3 units each): assumed, a timing of ~10 µs on
// the dev container (bench/plan_bench), so that the folded step costs about as much at 8 or 8,000 micro-batches.
inline constexpr int kProgramUnitBudget = 512;

double steady_makespan(ProgramCache& cache, const std::string& name, int ranks, int virtual_stages, int micro_batches,
                       const std::function<double(const Unit&)>& unit_s, const std::vector<double>& send_s,
                       int unit_budget = kProgramUnitBudget);

}  // namespace fathom::models::schedule
