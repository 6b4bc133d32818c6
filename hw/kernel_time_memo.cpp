#include "hw/kernel_time_memo.h"

#include <bit>
#include <cstdint>
#include <stdexcept>

namespace fathom::hw {
namespace {

// boost::hash_combine's mixing step on 64-bit words.
void mix(size_t& seed, uint64_t v) {
  seed ^= std::hash<uint64_t>{}(v) + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
}

uint64_t bits(double v) { return std::bit_cast<uint64_t>(v); }

}  // namespace

size_t KernelTimeMemo::Hash::operator()(const KernelWork& w) const {
  size_t seed = 0;
  mix(seed, uint64_t(w.family));
  mix(seed, uint64_t(w.dtype));
  mix(seed, bits(w.flops.value()));
  mix(seed, bits(w.bytes_read.value()));
  mix(seed, bits(w.bytes_written.value()));
  for (const int64_t v : {w.m, w.n, w.k, w.groups, w.batch, w.heads, w.seq_q, w.seq_kv, w.head_dim_qk, w.head_dim_v}) {
    mix(seed, uint64_t(v));
  }
  return seed;
}

// Bitwise on the doubles (so NaN work is its own entry and -0 is not 0): a hit is the same input.
bool KernelTimeMemo::Equal::operator()(const KernelWork& a, const KernelWork& b) const {
  return a.family == b.family && a.dtype == b.dtype && bits(a.flops.value()) == bits(b.flops.value()) &&
         bits(a.bytes_read.value()) == bits(b.bytes_read.value()) &&
         bits(a.bytes_written.value()) == bits(b.bytes_written.value()) && a.m == b.m && a.n == b.n && a.k == b.k &&
         a.groups == b.groups && a.batch == b.batch && a.heads == b.heads && a.seq_q == b.seq_q &&
         a.seq_kv == b.seq_kv && a.head_dim_qk == b.head_dim_qk && a.head_dim_v == b.head_dim_v;
}

Seconds KernelTimeMemo::time(const KernelCostModel& model, const KernelWork& work) {
  if (model_ == nullptr) model_ = &model;
  if (model_ != &model) throw std::logic_error("KernelTimeMemo: asked with a second cost model");
  const auto it = times_.find(work);
  if (it != times_.end()) return it->second;
  const Seconds s = model.time(work);
  times_.emplace(work, s);
  return s;
}

}  // namespace fathom::hw
