#pragma once
// A memo of one KernelCostModel's times by KernelWork, for callers that price the same kernels many times
// (the training search prices every decoder layer of every layout it reads: the attention kernels of 61
// layers are one work each). Exact: a hit returns what KernelCostModel::time returned for equal work.
//
// Contract: one memo serves one cost model (the first one it is asked with; another one throws
// std::logic_error). Not thread-safe: one memo per thread.

#include <cstddef>
#include <unordered_map>

#include "hw/kernel_cost_model.h"
#include "hw/kernel_work.h"

namespace fathom::hw {

class KernelTimeMemo {
 public:
  Seconds time(const KernelCostModel& model, const KernelWork& work);
  size_t size() const { return times_.size(); }

 private:
  struct Hash {
    size_t operator()(const KernelWork& w) const;
  };
  struct Equal {
    bool operator()(const KernelWork& a, const KernelWork& b) const;
  };
  const KernelCostModel* model_ = nullptr;
  std::unordered_map<KernelWork, Seconds, Hash, Equal> times_;
};

}  // namespace fathom::hw
