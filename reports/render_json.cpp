#include "reports/formats.h"

namespace fathom::reports {

std::string render_json(const Report& report) { return report.data.dump(2) + "\n"; }

}  // namespace fathom::reports
