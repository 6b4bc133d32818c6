#include "tools/registries.h"

#include "hw/kernel_family_registry.h"
#include "models/eplb/policy_registry.h"
#include "models/hf_config.h"
#include "models/schedule/registry.h"
#include "reports/formats.h"
#include "tools/run_kinds.h"

namespace fathom::tools {

std::vector<RegistryListing> all_registries() {
  std::vector<RegistryListing> out;
  append_listing(hw::kernel_family_registry(), out);
  append_listing(models::architecture_registry(), out);
  append_listing(models::eplb::policy_registry(), out);
  append_listing(models::schedule::schedule_registry(), out);
  append_listing(run_kind_registry(), out);
  append_listing(reports::format_registry(), out);
  return out;
}

}  // namespace fathom::tools
