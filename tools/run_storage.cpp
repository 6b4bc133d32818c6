// Runner for scenarios of kind "storage" (being built; see its issue).

#include "sim/error.h"
#include "tools/run_kinds.h"

namespace fathom::tools {

void run_storage(const ScenarioDocument& doc, const RunOptions&) {
  throw InputError(doc.label + ": kind: \"storage\" scenarios are not supported by this build yet");
}

}  // namespace fathom::tools
