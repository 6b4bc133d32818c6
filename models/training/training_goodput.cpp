#include "models/training/training_goodput.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

namespace fathom::models::training {
namespace {

Band read_band(const SpecReader& r, std::string_view key) {
  Band b;
  b.value = r.positive(key, r.number(key));
  b.low = b.high = b.value;
  const nlohmann::json& v = r.node()[std::string(key)];
  if (v.is_object() && v.contains("range")) {  // the reader has checked it holds the value
    b.low = v["range"][0].get<double>();
    b.high = v["range"][1].get<double>();
    if (!(b.low > 0)) r.fail(key, fmt::format("the range's low end must be > 0, got {:g}", b.low));
  }
  return b;
}

}  // namespace

FailureSpec read_failure_spec(const SpecReader& r) {
  FailureSpec f;
  if (r.has("note")) r.text("note");
  f.mtbf_gpu_hours = read_band(r, "mtbf_gpu_hours");
  f.mtbf_node_hours = read_band(r, "mtbf_node_hours");
  f.restart_overhead_s = read_band(r, "restart_overhead_s");
  r.finish();
  return f;
}

TrainingGoodput training_goodput(const FailureSpec& f, int64_t gpus, int64_t nodes, double step_s, int64_t every_steps,
                                 double checkpoint_s) {
  TrainingGoodput g;
  g.checkpoint_s = checkpoint_s;
  g.interval_s = double(every_steps) * step_s;
  const auto at = [&](double gpu_h, double node_h, double overhead_s) {
    const double mtbf = system_mtbf_s({gpu_h * 3600, node_h * 3600, 0}, gpus, nodes);
    const double restart = overhead_s + checkpoint_s;
    return std::tuple{mtbf, restart, goodput(g.interval_s, checkpoint_s, restart, mtbf),
                      optimal_interval(checkpoint_s, restart, mtbf)};
  };
  const auto [mtbf, restart, value, opt] =
      at(f.mtbf_gpu_hours.value, f.mtbf_node_hours.value, f.restart_overhead_s.value);
  g.system_mtbf_s = mtbf;
  g.restart_s = restart;
  g.goodput = {value, value, value};
  g.optimal_interval_s = {opt.interval_s, opt.interval_s, opt.interval_s};
  g.optimal_goodput = opt.goodput;
  g.optimal_every_steps = opt.interval_s / step_s;
  g.young_interval_s = young_interval_s(checkpoint_s, mtbf);
  // Goodput rises with both MTBFs and falls with the restart: its band is two corners; the optimal
  // interval rises with the MTBFs (the restart does not move it).
  for (const auto& [gpu_h, node_h, overhead] :
       {std::tuple{f.mtbf_gpu_hours.low, f.mtbf_node_hours.low, f.restart_overhead_s.high},
        std::tuple{f.mtbf_gpu_hours.high, f.mtbf_node_hours.high, f.restart_overhead_s.low}}) {
    const auto [m, r, v, o] = at(gpu_h, node_h, overhead);
    g.goodput.low = std::min(g.goodput.low, v);
    g.goodput.high = std::max(g.goodput.high, v);
    g.optimal_interval_s.low = std::min(g.optimal_interval_s.low, o.interval_s);
    g.optimal_interval_s.high = std::max(g.optimal_interval_s.high, o.interval_s);
  }
  return g;
}

}  // namespace fathom::models::training
