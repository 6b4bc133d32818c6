#pragma once
// The registry of kernel families the cost model prices (`fathom list`), with the shape variable
// each family's compute-efficiency curve saturates in.

#include <cstdint>
#include <string_view>

#include "hw/kernel_work.h"
#include "sim/registry.h"

namespace fathom::hw {

// What the registry holds for each family: the enum value and its efficiency-curve shape variable.
struct KernelFamilyTraits {
  KernelFamily family = KernelFamily::elementwise;
  std::string_view shape_variable;  // "m", "seq_kv", "seq_q" or "" (no compute curve)
};

using KernelFamilyRegistry = Registry<KernelFamilyTraits>;

// Every KernelFamily, in enum order, with a one-line description.
const KernelFamilyRegistry& kernel_family_registry();

const KernelFamilyTraits& kernel_family_traits(KernelFamily family);

// The value of the family's shape variable for one invocation (0 when the family has none).
double shape_value(const KernelWork& work);

}  // namespace fathom::hw
