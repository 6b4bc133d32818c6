#pragma once
// What the build knows about itself: the version and git commit (taken when CMake configured; the
// build re-configures when the checkout's HEAD moves), and where the scenario library is.

#include <filesystem>
#include <string>
#include <vector>

namespace fathom::tools {

// "fathom 0.1.0 (commit 0123456789ab)"; "commit unknown" outside a git checkout.
std::string version_line();

// Directories searched, after the scenario's own, for relative paths written in a scenario
// ($include, hf_config, calibration): $FATHOM_SCENARIOS if set (':'-separated), else the source
// tree's scenarios/ when it exists.
std::vector<std::filesystem::path> scenario_library();

}  // namespace fathom::tools
