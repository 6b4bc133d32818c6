#pragma once
// The composition root's view of every registry, for `fathom list`.

#include <vector>

#include "sim/registry.h"

namespace fathom::tools {

std::vector<RegistryListing> all_registries();

}  // namespace fathom::tools
