#include "models/training/pipeline_sends.h"

#include <fmt/format.h>

#include <stdexcept>

#include "hw/ep_alltoall_cost.h"
#include "models/training/training_layout.h"

namespace fathom::models::training {
namespace {

// Whether GPU i of stage a and GPU i of stage b lie in one domain of `domain` GPUs for every i < stage_gpus.
bool stages_share_domain(int64_t a, int64_t b, int64_t stage_gpus, int64_t domain) {
  const int64_t distance = (b > a ? b - a : a - b) * stage_gpus;
  if (distance == 0) return true;
  if (distance >= domain) return false;  // two GPUs that far apart never share a domain
  for (int64_t i = 0; i < stage_gpus; ++i) {
    if ((a * stage_gpus + i) / domain != (b * stage_gpus + i) / domain) return false;
  }
  return true;
}

}  // namespace

int PipelineSends::boundary(int from, int to) const {
  const int P = int(over_nvlink.size());
  if (P > 1 && from >= 0 && to >= 0 && from < P && to < P) {
    if (to == (from + 1) % P) return from;
    if (from == (to + 1) % P) return to;
  }
  throw std::logic_error(fmt::format("pipeline send between ranks {} and {} of {}: not neighbours", from, to, P));
}

int PipelineSends::nvlink_boundaries() const {
  int n = 0;
  for (size_t b = 0; b + 1 < over_nvlink.size(); ++b) n += over_nvlink[b] ? 1 : 0;
  return n;
}

int PipelineSends::nic_boundaries() const {
  return over_nvlink.empty() ? 0 : int(over_nvlink.size()) - 1 - nvlink_boundaries();
}

PipelineSends pipeline_sends(double bytes, const TrainingLayout& layout, const hw::NodeSpec& node) {
  PipelineSends out;
  // The same expression the step always used for a send between stages on different nodes.
  out.nic_s = node.scaleout_nic.latency.value() + bytes / hw::scaleout_bandwidth_per_gpu(node).value();
  out.nvlink_s = node.intra_latency.value() + bytes / node.intra_achievable_bandwidth.value();
  const int64_t P = layout.pp;
  if (P <= 1) return out;
  const int64_t stage_gpus = layout.dp * layout.tp;
  const int64_t domain = hw::scaleup_domain_gpus(node);
  out.over_nvlink.resize(size_t(P));
  for (int64_t b = 0; b < P; ++b) out.over_nvlink[size_t(b)] = stages_share_domain(b, (b + 1) % P, stage_gpus, domain);
  return out;
}

}  // namespace fathom::models::training
