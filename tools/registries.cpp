#include "tools/registries.h"

#include "hw/kernel_family_registry.h"
#include "models/eplb/policy_registry.h"
#include "models/hf_config.h"
#include "models/schedule/registry.h"

namespace fathom::tools {

std::vector<RegistryListing> all_registries() {
  std::vector<RegistryListing> out;
  // Each folder appends its registries here as they land (models: architectures; hw: kernel
  // families; later schedules, fidelity levels, EPLB policies).
  append_listing(hw::kernel_family_registry(), out);
  append_listing(models::architecture_registry(), out);
  append_listing(models::eplb::policy_registry(), out);
  append_listing(models::schedule::schedule_registry(), out);
  return out;
}

}  // namespace fathom::tools
