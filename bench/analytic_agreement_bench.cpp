// How far the `analytic` training step (step_analytic.h: closed-form bubbles) is from the `event` step (the
// schedule's task graph on the engine, the reference) over a population of configurations, per schedule:
//  - each shipped pre-training scenario with each schedule it accepts (1f1b, zb1p, interleaved_1f1b at v = 2 and
//    4, dualpipe, dualpipev; a schedule the scenario's pp / micro-batches refuse is skipped);
//  - the written stage cuts of docs/training.md on the H100 TP2 PP8 VP4 scenario;
//  - every `stride`-th feasible configuration of `fathom plan`'s search on that scenario.
// Prints analytic/event - 1 per configuration, then the median and the worst per schedule (docs/training.md §5
// quotes them). The batch ramp is off: one step at the final batch.
//
// Usage: analytic_agreement_bench [plan_stride=500]  (0: skip the plan sample)

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "models/plan/plan_spec.h"
#include "models/plan/training_plan.h"
#include "models/training/training_run.h"
#include "sim/error.h"
#include "sim/scenario_document.h"

namespace {

namespace tr = fathom::models::training;
namespace mp = fathom::models::plan;

double step_at(const std::string& file, std::vector<std::string> sets, const std::string& fidelity) {
  sets.push_back("fidelity=" + fidelity);
  fathom::ProvenanceLog log;
  tr::TrainingScenario s = tr::read_training_scenario(fathom::load_scenario(file, sets), log);
  s.spec.batch_ramp.reset();
  return tr::predict_training(s).step.step_s;
}

std::map<std::string, std::vector<double>> errors;  // per schedule: analytic/event - 1

void record(const std::string& schedule, const std::string& label, double analytic_s, double event_s) {
  const double e = analytic_s / event_s - 1;
  errors[schedule].push_back(e);
  fmt::print("{:<70} analytic {:8.3f} s  event {:8.3f} s  {:+7.2f}%\n", label, analytic_s, event_s, 100 * e);
}

void compare(const std::string& file, const std::string& schedule, const std::vector<std::string>& sets,
             const std::string& label) {
  try {
    record(schedule, label, step_at(file, sets, "analytic"), step_at(file, sets, "event"));
  } catch (const fathom::InputError& e) {
    fmt::print("{:<70} refused ({})\n", label, std::string(e.what()).substr(0, 80));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = std::string(FATHOM_SOURCE_DIR) + "/scenarios/";
  const int stride = argc > 1 ? std::atoi(argv[1]) : 500;
  const std::vector<std::string> scenarios = {
      "deepseek-v3-pretrain-2048xh800.json", "deepseek-v3-pretrain-2048xh100.json",
      "deepseek-v3-pretrain-1024xh100-tp2-pp8-vp4.json", "deepseek-v3-pretrain-gb200-nvl72.json"};
  struct Choice {
    std::string schedule;
    int v;
  };
  const std::vector<Choice> choices = {
      {"1f1b", 1}, {"zb1p", 1}, {"interleaved_1f1b", 2}, {"interleaved_1f1b", 4}, {"dualpipe", 1}, {"dualpipev", 1}};
  for (const std::string& sc : scenarios) {
    for (const Choice& c : choices) {
      const std::string name = c.schedule == "interleaved_1f1b" ? fmt::format("interleaved_1f1b v{}", c.v) : c.schedule;
      compare(dir + sc, name, {"training.schedule=" + c.schedule, fmt::format("training.virtual_stages={}", c.v)},
              sc.substr(21, sc.size() - 26) + " " + name);
    }
  }
  const std::string vp4 = dir + "deepseek-v3-pretrain-1024xh100-tp2-pp8-vp4.json";
  for (const char* layout : {"Et|(tt|)*30mL", "Ettt|(tt|)*14,t|(tt|)*7,t|(tt|)*7,mL", "Et*3|(tt|)*29,m|L"}) {
    compare(vp4, "interleaved_1f1b v4", {std::string("training.pipeline_layout=") + layout},
            fmt::format("tp2-pp8-vp4 layout {}", layout));
  }
  if (stride > 0) {
    // The plan's own space on that scenario, analytic as the search priced it, event as its check re-prices.
    const fathom::ScenarioDocument doc = fathom::load_scenario(vp4, {});
    std::optional<fathom::SpecReader> plan;
    if (doc.root.contains("plan")) plan.emplace(doc.root["plan"], doc.label, "plan");
    const mp::TrainingPlanSpec spec = mp::read_training_plan(plan, 128);
    int i = 0;
    for (const mp::TrainingOutcome& o : mp::evaluate_training(doc, spec)) {
      if (o.rejection != mp::Rejection::none || i++ % stride != 0) continue;
      const mp::TrainingCheck c = mp::check_training_point(doc, o.point);
      const std::string name = o.point.config.schedule == "interleaved_1f1b"
                                   ? fmt::format("interleaved_1f1b v{}", o.point.config.virtual_stages)
                                   : o.point.config.schedule;
      record(name,
             fmt::format("plan: {}n TP{} PP{} EP{} {} mbs{} x{}", o.point.config.nodes, o.point.config.tp,
                         o.point.config.pp, o.point.config.ep, name, o.point.config.micro_batch_sequences,
                         o.point.config.micro_batches),
             c.analytic.step_s, c.step_s);
    }
  }
  fmt::print("\nanalytic/event - 1 per schedule: count, median, worst (largest |error|)\n");
  for (auto& [name, e] : errors) {
    std::sort(e.begin(), e.end());
    const double median = e.size() % 2 ? e[e.size() / 2] : (e[e.size() / 2 - 1] + e[e.size() / 2]) / 2;
    const double worst = std::abs(e.front()) > std::abs(e.back()) ? e.front() : e.back();
    fmt::print("{:<22} {:4}  median {:+7.2f}%  worst {:+7.2f}%\n", name, e.size(), 100 * median, 100 * worst);
  }
  return 0;
}
