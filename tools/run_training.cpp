// Runner for scenarios of kind "training" (being built; see its issue).

#include "sim/error.h"
#include "tools/run_kinds.h"

namespace fathom::tools {

void run_training(const ScenarioDocument& doc, const RunOptions&) {
  throw InputError(doc.label + ": kind: \"training\" scenarios are not supported by this build yet");
}

}  // namespace fathom::tools
