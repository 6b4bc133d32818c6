// Readers of the InferSim H800 tables (alibaba/InferSim @ f2293da, bench_data/, Apache-2.0;
// copies in scenarios/calibration/h800-infersim/).

#include <fmt/format.h>

#include "calib/fit/calibration_tables.h"
#include "calib/fit/kernel_shapes.h"

namespace fathom::calib {
namespace {

constexpr double kInferSimFp8PeakFlops = 1979e12;  // the peak InferSim's mfu column is relative to

CalibrationRow make_row(const CsvTable& t, size_t i, hw::KernelWork work, double latency_us, std::string what) {
  if (!(latency_us > 0.0)) {
    throw InputError(
        fmt::format("{}: line {}: a measured time must be positive, got {} us", t.label(), t.line(i), latency_us));
  }
  if (!(work.flops.value() > 0.0)) {
    throw InputError(fmt::format("{}: line {}: the row's shape does no work ({})", t.label(), t.line(i), what));
  }
  CalibrationRow r;
  r.work = work;
  r.measured = Seconds(latency_us * 1e-6);
  r.table = t.label();
  r.index = static_cast<int64_t>(i);
  r.label = fmt::format("{}#{} {}", t.label(), i, what);
  return r;
}

}  // namespace

void read_infersim_gemm(const CsvTable& t, CalibrationInputs& out) {
  for (size_t i = 0; i < t.rows(); ++i) {
    const int64_t m = t.integer(i, "m"), k = t.integer(i, "k"), n = t.integer(i, "n");
    out.rows.push_back(
        make_row(t, i, fp8_gemm_work(m, n, k), t.number(i, "latency_us"), fmt::format("m={} n={} k={}", m, n, k)));
  }
}

// Contract (docs/calibration.md): the up projection is gate+up fused, n = 2 * intermediate_size,
// k = hidden_size; down has n = hidden_size, k = intermediate_size. InferSim draws each expert's
// token count at random around tokens_per_expert (its mfu column implies e.g. 127 of a nominal 256
// tokens at tokens_per_expert = 1, and a different count in the up and down runs of one row), so the
// FLOPs are the ones the mfu column reports: tokens = mfu * 1979 TFLOPS * latency / (2 n k).
// Weights of every local expert are counted as read.
void read_infersim_grouped_gemm(const CsvTable& t, bool decode, CalibrationInputs& out) {
  const hw::KernelFamily family =
      decode ? hw::KernelFamily::grouped_gemm_masked : hw::KernelFamily::grouped_gemm_contiguous;
  for (size_t i = 0; i < t.rows(); ++i) {
    const int64_t experts = t.integer(i, "num_local_experts");
    const int64_t hidden = t.integer(i, "hidden_size"), inter = t.integer(i, "intermediate_size");
    const int64_t nominal = t.integer(i, "tokens_per_expert");
    struct Proj {
      const char* name;
      int64_t n, k;
    };
    for (const Proj p : {Proj{"up", 2 * inter, hidden}, Proj{"down", hidden, inter}}) {
      const double latency_us = t.number(i, std::string(p.name) + "_proj_us");
      const double mfu = t.number(i, std::string(p.name) + "_mfu");
      if (!(mfu > 0.0 && mfu <= 1.0)) {
        throw InputError(
            fmt::format("{}: line {}: column {}_mfu: must be in (0, 1], got {}", t.label(), t.line(i), p.name, mfu));
      }
      const double flops = mfu * kInferSimFp8PeakFlops * latency_us * 1e-6;
      const double tokens = flops / (2.0 * static_cast<double>(p.n) * static_cast<double>(p.k));
      out.rows.push_back(make_row(t, i, fp8_grouped_gemm_work(family, tokens, experts, p.n, p.k), latency_us,
                                  fmt::format("{} experts={} tokens_per_expert={} (measured {:.1f}) n={} k={}", p.name,
                                              experts, nominal, tokens / static_cast<double>(experts), p.n, p.k)));
    }
  }
}

void read_infersim_mla_decode(const CsvTable& t, CalibrationInputs& out) {
  constexpr int64_t kHeads = 128;  // file name: mla-decode-128-512-64 (heads, kv_lora_rank, rope)
  for (size_t i = 0; i < t.rows(); ++i) {
    if (t.text(i, "dtype") != "bf16" || t.text(i, "kv_dtype") != "bf16") {
      throw InputError(fmt::format("{}: line {}: only bf16 MLA decode rows are understood", t.label(), t.line(i)));
    }
    const int64_t b = t.integer(i, "batch_size"), kv = t.integer(i, "kv_len");
    out.rows.push_back(make_row(t, i, mla_decode_work(b, kHeads, kv), t.number(i, "latency_us"),
                                fmt::format("batch={} kv_len={}", b, kv)));
  }
}

void read_infersim_mla_prefill(const CsvTable& t, CalibrationInputs& out) {
  constexpr int64_t kHeads = 128;  // file name: mla-prefill-128-128-64 (heads, v head dim, rope)
  for (size_t i = 0; i < t.rows(); ++i) {
    const int64_t s = t.integer(i, "seq_len");
    out.rows.push_back(
        make_row(t, i, mla_prefill_work(s, kHeads), t.number(i, "latency_us"), fmt::format("seq_len={}", s)));
  }
}

}  // namespace fathom::calib
