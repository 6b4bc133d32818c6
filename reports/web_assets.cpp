#include "reports/web_assets.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fathom::reports {

std::optional<std::string> vega_scripts() {
  const char* env = std::getenv("FATHOM_WEB_DIR");
  const std::filesystem::path dir = env ? std::filesystem::path(env) : std::filesystem::path(FATHOM_WEB_DIR);
  std::string out;
  for (const char* file :
       {"vega/build/vega.min.js", "vega-lite/build/vega-lite.min.js", "vega-embed/build/vega-embed.min.js"}) {
    std::ifstream in(dir / file);
    if (!in) return std::nullopt;
    std::stringstream s;
    s << in.rdbuf();
    out += "<script>\n" + s.str() + "\n</script>\n";
  }
  return out;
}

}  // namespace fathom::reports
