#pragma once
// Loads a scenario file into one resolved JSON document (ARCHITECTURE.md §5):
//  - "$include": "rel/path.json" (or a list of paths) inside any object merges that file's object
//    first; keys written beside the include override it (deep merge of objects). Include paths are
//    relative to the file that contains them. Cycles are an error.
//  - --set overrides "path.to.key=value" are applied last; value is JSON if it parses as JSON
//    (numbers, true/false, objects), otherwise a string. The parent object must exist.
// Contract: every failure throws InputError with "<file>: <json.path>: <what>" or
// "--set <text>: <what>".

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fathom {

struct ScenarioDocument {
  nlohmann::json root;             // fully resolved: includes merged, overrides applied
  std::filesystem::path file;      // the top-level scenario file as given
  std::filesystem::path base_dir;  // file paths inside the scenario (hf_config, calibration) resolve here
  std::string label;               // file name used as the prefix of error messages

  // Resolve a path written in the scenario relative to base_dir (absolute paths unchanged).
  std::filesystem::path resolve_path(const std::string& relative) const;
};

// Read a JSON file; errors name the file and the line/column of a syntax error.
nlohmann::json read_json_file(const std::filesystem::path& file);

ScenarioDocument load_scenario(const std::filesystem::path& file, const std::vector<std::string>& set_overrides = {});

// Apply one "a.b.c=value" override to a document (exposed for tests).
void apply_override(nlohmann::json& root, const std::string& assignment);

// Deep merge: objects merge key by key, anything else in `over` replaces `base`.
void deep_merge(nlohmann::json& base, const nlohmann::json& over);

}  // namespace fathom
