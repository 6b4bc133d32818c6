#pragma once
// Loads a scenario file into one resolved JSON document (ARCHITECTURE.md §5):
//  - "$include": "rel/path.json" (or a list of paths) inside any object merges that file's object
//    first; keys written beside the include override it (deep merge of objects). An include path is
//    looked up relative to the file that contains it, then in each search directory (the scenario
//    library, scenarios/). Cycles, and includes nested more than kMaxIncludeDepth files deep, are errors.
//  - --set overrides "path.to.key=value" are applied last; value is JSON if it parses as JSON
//    (numbers, true/false, objects), otherwise a string. The parent object must exist. An "$include"
//    inside a --set value is looked up relative to the current directory, then the scenario's
//    directory, then the search directories.
//  - Other paths written in a scenario (hf_config, calibration) resolve with resolve_path(): the
//    scenario's directory, then the search directories.
// Contract: every failure throws InputError with "<file>: <json.path>: <what>" or
// "--set <text>: <what>"; a file not found says every place it looked. Parsing is strict
// (sim/strict_json.h: duplicate keys, depth, out-of-range numbers).

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/strict_json.h"

namespace fathom {

inline constexpr int kMaxIncludeDepth = 16;

struct ScenarioDocument {
  nlohmann::json root;             // fully resolved: includes merged, overrides applied
  std::filesystem::path file;      // the top-level scenario file as given
  std::filesystem::path base_dir;  // file paths inside the scenario (hf_config, calibration) resolve here
  std::string label;               // file name used as the prefix of error messages
  std::vector<std::filesystem::path> search_dirs;  // tried after base_dir (the scenario library)

  // Resolve a path written in the scenario: absolute paths unchanged; otherwise the first of
  // base_dir/relative, search_dirs.../relative that exists, or base_dir/relative when none does.
  std::filesystem::path resolve_path(const std::string& relative) const;
  // For an error line: "file <relative> not found; looked in <each candidate>".
  std::string not_found(const std::string& relative) const;
  // The top-level "kind": none when the root is not an object or has no "kind"; InputError
  // "<label>: kind: expected a string, got ..." when it is not a string.
  std::optional<std::string> kind() const;
  // The top-level "name", or the label when there is none; InputError when it is not a string.
  std::string name() const;
};

ScenarioDocument load_scenario(const std::filesystem::path& file, const std::vector<std::string>& set_overrides = {},
                               const std::vector<std::filesystem::path>& search_dirs = {});

// A scenario written inline in another file (a claims file): `root` resolved as if it were the content of
// `file` (its includes and paths resolve beside `file`, then in `search_dirs`), errors prefixed by `label`.
ScenarioDocument scenario_from_json(nlohmann::json root, const std::string& label, const std::filesystem::path& file,
                                    const std::vector<std::string>& set_overrides = {},
                                    const std::vector<std::filesystem::path>& search_dirs = {});

// Resolves the includes of doc.root and applies `set_overrides` (load_scenario and scenario_from_json end here).
ScenarioDocument resolve_scenario(ScenarioDocument doc, const std::vector<std::string>& set_overrides);

// Apply one "a.b.c=value" override to a document (exposed for tests). An "$include" in the value
// resolves relative to each of `include_dirs`, in order.
void apply_override(nlohmann::json& root, const std::string& assignment,
                    const std::vector<std::filesystem::path>& include_dirs = {});

// Deep merge: objects merge key by key, anything else in `over` replaces `base`.
void deep_merge(nlohmann::json& base, const nlohmann::json& over);

// The existing files among `dirs`/relative, and every candidate tried (absolute `relative`: itself only).
std::vector<std::filesystem::path> candidate_paths(const std::string& relative,
                                                   const std::vector<std::filesystem::path>& dirs);

}  // namespace fathom
