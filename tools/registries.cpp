#include "tools/registries.h"

namespace fathom::tools {

std::vector<RegistryListing> all_registries() {
  std::vector<RegistryListing> out;
  // Each folder appends its registries here as they land (models: architectures; hw: kernel
  // families; later schedules, fidelity levels, EPLB policies).
  return out;
}

}  // namespace fathom::tools
