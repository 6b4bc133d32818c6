#include "tools/build_info.h"

#include <fmt/format.h>

#include <cstdlib>
#include <string_view>

#ifndef FATHOM_VERSION
#define FATHOM_VERSION "unknown"
#endif
#ifndef FATHOM_GIT_COMMIT
#define FATHOM_GIT_COMMIT "unknown"
#endif
#ifndef FATHOM_SCENARIOS_DIR
#define FATHOM_SCENARIOS_DIR ""
#endif

namespace fathom::tools {

std::string version_line() { return fmt::format("fathom {} (commit {})", FATHOM_VERSION, FATHOM_GIT_COMMIT); }

std::vector<std::filesystem::path> scenario_library() {
  std::vector<std::filesystem::path> dirs;
  if (const char* env = std::getenv("FATHOM_SCENARIOS"); env != nullptr && *env != '\0') {
    std::string_view rest(env);
    while (!rest.empty()) {
      const size_t colon = rest.find(':');
      const std::string_view dir = rest.substr(0, colon);
      if (!dir.empty()) dirs.emplace_back(std::string(dir));
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
    return dirs;
  }
  std::error_code ec;
  const std::filesystem::path built_in(FATHOM_SCENARIOS_DIR);
  if (!built_in.empty() && std::filesystem::is_directory(built_in, ec)) dirs.push_back(built_in);
  return dirs;
}

}  // namespace fathom::tools
