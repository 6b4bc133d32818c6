#include "hw/kernel_time_factors.h"

#include "hw/kernel_family_registry.h"

namespace fathom::hw {

KernelTimeFactors read_kernel_time_factors(const SpecReader& r) {
  KernelTimeFactors out;
  if (r.has("note")) r.text("note");
  for (const auto& entry : kernel_family_registry().entries()) {
    if (r.has(entry.name)) out[entry.make.family] = r.positive(entry.name, r.number(entry.name));
  }
  r.finish();
  return out;
}

}  // namespace fathom::hw
