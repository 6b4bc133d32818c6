// Reader of scenarios/calibration/h800-published-kernels.csv: kernel-level rows of
// shared/reference/published-figures.md §3a/§3b (DeepGEMM K11-K17, FlashMLA K01/K02 as bounds).

#include <fmt/format.h>

#include "calib/fit/calibration_tables.h"
#include "calib/fit/kernel_shapes.h"
#include "sim/error.h"

namespace fathom::calib {

// role "fit": a GEMM row, time = flops / (tflops * 1e12); DeepGEMM's tables give M per group for
// grouped layouts, so tokens = groups * m. role "bound": an upper bound on a family's rates.
void read_published_kernels(const CsvTable& t, CalibrationInputs& out) {
  for (size_t i = 0; i < t.rows(); ++i) {
    const std::string& id = t.text(i, "row_id");
    const std::string& role = t.text(i, "role");
    hw::KernelFamily family;
    try {
      family = hw::parse_kernel_family(t.text(i, "family"));
    } catch (const std::invalid_argument& e) {
      throw InputError(fmt::format("{}: line {}: {}", t.label(), t.line(i), e.what()));
    }
    if (role == "bound") {
      KernelBound b{id, family, FlopsPerSecond(t.empty(i, "tflops") ? 0.0 : t.number(i, "tflops") * 1e12),
                    BytesPerSecond(t.empty(i, "gb_per_s") ? 0.0 : t.number(i, "gb_per_s") * 1e9)};
      out.bounds.push_back(b);
      continue;
    }
    if (role != "fit") {
      throw InputError(fmt::format("{}: line {}: role must be fit or bound, got \"{}\"", t.label(), t.line(i), role));
    }
    const int64_t groups = t.integer(i, "groups"), m = t.integer(i, "m"), n = t.integer(i, "n"), k = t.integer(i, "k");
    if (t.text(i, "dtype") != "fp8") {
      throw InputError(fmt::format("{}: line {}: only fp8 GEMM rows are understood", t.label(), t.line(i)));
    }
    hw::KernelWork w = family == hw::KernelFamily::dense_gemm
                           ? fp8_gemm_work(m, n, k)
                           : fp8_grouped_gemm_work(family, static_cast<double>(groups * m), groups, n, k);
    if (family == hw::KernelFamily::dense_gemm && groups != 1) {
      throw InputError(fmt::format("{}: line {}: dense_gemm rows need groups = 1", t.label(), t.line(i)));
    }
    const double tflops = t.number(i, "tflops");
    if (!(tflops > 0.0) || !(w.flops.value() > 0.0)) {
      throw InputError(fmt::format("{}: line {}: a fit row needs a positive shape and tflops, got tflops {}", t.label(),
                                   t.line(i), tflops));
    }
    CalibrationRow r;
    r.work = w;
    r.measured = w.flops / FlopsPerSecond(tflops * 1e12);
    r.table = t.label();
    r.index = static_cast<int64_t>(i);
    r.row_id = id;
    r.label = fmt::format("{} {} groups={} m={} n={} k={}", id, t.text(i, "family"), groups, m, n, k);
    out.rows.push_back(std::move(r));
  }
}

}  // namespace fathom::calib
