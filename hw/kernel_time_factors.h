#pragma once
// Per-family factors on predicted kernel times (scenario section `kernel_time_factors`), for uncertainty
// bands: each factor is 1 at its point value, and its range says how far the family's calibrated curve
// may be off, from the held-out error of docs/validation.md (measured families) or a stated guess
// (assumed ones). A plain run with every factor at 1 is the calibrated prediction; a factor away from 1
// is a what-if, never a correction fitted to an outcome.
//
//   "kernel_time_factors": {"dense_gemm": {"value": 1.0, "range": [0.9, 1.1], "source": "measured:..."}, ...}

#include <map>

#include "hw/kernel_work.h"
#include "sim/spec_reader.h"

namespace fathom::hw {

using KernelTimeFactors = std::map<KernelFamily, double>;

// Reads the section's keys (kernel family names, each a positive number, and an optional "note"); unknown
// families are an InputError naming the key. Contract: `section.finish()` is called.
KernelTimeFactors read_kernel_time_factors(const SpecReader& section);

}  // namespace fathom::hw
