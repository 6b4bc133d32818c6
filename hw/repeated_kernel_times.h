#pragma once
// Kernel times for sequences of kernels priced one after another where each sequence mostly repeats the one
// before: the decoder layers of one kind run the same ops, and only the expert GEMMs' load changes from layer to
// layer (their EPLB imbalance). A kernel equal to the previous sequence's kernel at the same position reuses its
// time; any other is priced. Exact: a reused time is what KernelCostModel::time returned for equal work
// (KernelWork's ==), and an equal comparison costs less than the curve it skips (a hash table of every work
// seen costs more in cache misses than it saves: measured on the training search, docs/plan.md "Speed").
//
// Contract: positions of one sequence are asked in order from 0 after begin(); not thread-safe; the model
// must outlive this.

#include <cstddef>
#include <vector>

#include "hw/kernel_cost_model.h"
#include "hw/kernel_work.h"
#include "sim/units.h"

namespace fathom::hw {

class RepeatedKernelTimes {
 public:
  explicit RepeatedKernelTimes(const KernelCostModel& model) : model_(model) {}
  void begin();  // a new sequence; the one priced so far becomes the reference
  Seconds time(size_t position, const KernelWork& work);
  size_t priced() const { return priced_; }  // kernels priced (not reused) so far

 private:
  struct Priced {
    KernelWork work;
    Seconds time;
  };
  const KernelCostModel& model_;
  std::vector<Priced> previous_, current_;
  size_t priced_ = 0;
};

}  // namespace fathom::hw
