#pragma once
// The Vega, Vega-Lite and Vega-Embed builds the HTML report inlines (reports/web/package.json, installed by
// tools/setup.sh with npm). Looked up in $FATHOM_WEB_DIR, else in the source tree's reports/web/node_modules
// (FATHOM_WEB_DIR at build time).

#include <optional>
#include <string>

namespace fathom::reports {

// The three minified scripts, each in a <script> element; nullopt when any is missing.
std::optional<std::string> vega_scripts();

}  // namespace fathom::reports
