// Speed of the schedule task graph: build DualPipe for P=16, C=60 and evaluate it (issue #5); and of the analytic
// training step's compiled programs (program_timing.h): compile and time DualPipe P=16 C=60 and 1F1B P=16 C=480
// (a batch-ramp count of the default training space, timed whole).
// Plain main with std::chrono; no assertions.

#include <chrono>
#include <cstdio>

#include "models/schedule/evaluator.h"
#include "models/schedule/program_timing.h"
#include "models/schedule/schedule.h"
#include "models/schedule/task_graph.h"

using namespace fathom::models::schedule;

namespace {

using Clock = std::chrono::steady_clock;
double ms(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }

void program(const char* label, Schedule (*make)(const ScheduleParams&), const ScheduleParams& params) {
  const int repeats = 20;
  double generate_ms = 0, compile_ms = 0, time_ms = 0, makespan = 0;
  std::size_t units = 0;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = Clock::now();
    const Schedule s = make(params);
    const auto t1 = Clock::now();
    const TimedProgram p = compile_program(s);
    const auto t2 = Clock::now();
    std::vector<double> class_s;
    for (const Unit& u : p.classes) class_s.push_back(unit_duration(u.kind, UnitDurations{1.0, 2.0, 1.0, 2.5}));
    makespan = program_makespan(p, class_s, std::vector<double>(size_t(params.ranks * params.ranks), 0.01));
    const auto t3 = Clock::now();
    generate_ms += ms(t0, t1);
    compile_ms += ms(t1, t2);
    time_ms += ms(t2, t3);
    units = p.unit_class.size();
  }
  std::printf(
      "%s: %zu units, makespan %.2f (F=1 B=2 W=1 F&B=2.5, sends 0.01); mean over %d runs: generate %.3f ms, "
      "compile the program %.3f ms (%.0f ns per unit), time it %.3f ms\n",
      label, units, makespan, repeats, generate_ms / repeats, compile_ms / repeats,
      compile_ms / repeats * 1e6 / double(units), time_ms / repeats);
}

}  // namespace

int main() {
  const int repeats = 20;
  double generate_ms = 0, build_ms = 0, evaluate_ms = 0, makespan = 0;
  std::size_t vertices = 0, edges = 0;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = Clock::now();
    const Schedule s = make_dualpipe({16, 60});
    const auto t1 = Clock::now();
    const TaskGraph g = build_task_graph(s);
    const auto t2 = Clock::now();
    const Evaluation e = evaluate(g, UnitDurations{1.0, 2.0, 1.0, 2.5});
    const auto t3 = Clock::now();
    generate_ms += ms(t0, t1);
    build_ms += ms(t1, t2);
    evaluate_ms += ms(t2, t3);
    makespan = e.makespan_s;
    vertices = boost::num_vertices(g);
    edges = boost::num_edges(g);
  }
  std::printf("dualpipe P=16 C=60: %zu units, %zu edges, makespan %.2f (F=1 B=2 W=1 F&B=2.5)\n", vertices, edges,
              makespan);
  std::printf("mean over %d runs: generate %.3f ms, build graph %.3f ms, evaluate %.3f ms\n", repeats,
              generate_ms / repeats, build_ms / repeats, evaluate_ms / repeats);
  program("program dualpipe P=16 C=60", make_dualpipe, {16, 60});
  program("program 1f1b P=16 C=480", make_1f1b, {16, 480});
  return 0;
}
