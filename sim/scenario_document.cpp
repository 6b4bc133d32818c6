#include "sim/scenario_document.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "sim/error.h"

namespace fathom {
namespace fs = std::filesystem;
namespace {

constexpr const char* kIncludeKey = "$include";

std::string join_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

void resolve_includes(nlohmann::json& node, const fs::path& file, const std::string& json_path,
                      std::vector<fs::path>& stack);

nlohmann::json load_included(const fs::path& including_file, const std::string& json_path, const nlohmann::json& ref,
                             std::vector<fs::path>& stack) {
  if (!ref.is_string()) {
    throw InputError(fmt::format("{}: {}: \"$include\" must be a file path string or a list of them",
                                 including_file.filename().string(), json_path));
  }
  const fs::path target = (including_file.parent_path() / ref.get<std::string>()).lexically_normal();
  std::error_code ec;  // non-throwing overloads: a name too long for the OS must be an InputError (fuzzer)
  for (const auto& open : stack) {
    if (fs::equivalent(open, target, ec)) {
      throw InputError(fmt::format("{}: {}: \"$include\" cycle through {}", including_file.filename().string(),
                                   json_path, target.string()));
    }
  }
  if (!fs::exists(target, ec)) {
    throw InputError(fmt::format("{}: {}: included file {} does not exist", including_file.filename().string(),
                                 json_path, target.string()));
  }
  nlohmann::json included = read_json_file(target);
  if (!included.is_object()) {
    throw InputError(fmt::format("{}: top level must be a JSON object", target.filename().string()));
  }
  stack.push_back(target);
  resolve_includes(included, target, "", stack);
  stack.pop_back();
  return included;
}

void resolve_includes(nlohmann::json& node, const fs::path& file, const std::string& json_path,
                      std::vector<fs::path>& stack) {
  if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i)
      resolve_includes(node[i], file, json_path + "." + std::to_string(i), stack);
    return;
  }
  if (!node.is_object()) return;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (it.key() != kIncludeKey) resolve_includes(it.value(), file, join_path(json_path, it.key()), stack);
  }
  if (!node.contains(kIncludeKey)) return;
  const nlohmann::json refs = node[kIncludeKey];
  node.erase(kIncludeKey);
  nlohmann::json merged = nlohmann::json::object();
  const std::string where = join_path(json_path, kIncludeKey);
  if (refs.is_array()) {
    for (const auto& ref : refs) deep_merge(merged, load_included(file, where, ref, stack));
  } else {
    merged = load_included(file, where, refs, stack);
  }
  deep_merge(merged, node);
  node = std::move(merged);
}

}  // namespace

fs::path ScenarioDocument::resolve_path(const std::string& relative) const {
  const fs::path p(relative);
  return p.is_absolute() ? p : (base_dir / p).lexically_normal();
}

nlohmann::json read_json_file(const fs::path& file) {
  // Only regular files: an include of /dev/zero or a FIFO would read forever (resource guard).
  std::error_code ec;
  if (fs::exists(file, ec) && !fs::is_regular_file(file, ec)) {
    throw InputError(fmt::format("{}: not a regular file", file.string()));
  }
  std::ifstream in(file);
  if (!in) throw InputError(fmt::format("{}: cannot open file", file.string()));
  std::stringstream text;
  text << in.rdbuf();
  try {
    return nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is the offset of the error; turn it into a line number for the user.
    const std::string s = text.str();
    const size_t upto = std::min(static_cast<size_t>(e.byte), s.size());
    const long line = 1 + std::count(s.begin(), s.begin() + static_cast<long>(upto), '\n');
    throw InputError(fmt::format("{}: line {}: malformed JSON ({})", file.string(), line, e.what()));
  } catch (const nlohmann::json::out_of_range& e) {
    // A number beyond double such as 1e400 (found by the fuzzer): nlohmann reports it as out_of_range.
    throw InputError(fmt::format("{}: malformed JSON ({})", file.string(), e.what()));
  }
}

void deep_merge(nlohmann::json& base, const nlohmann::json& over) {
  if (!base.is_object() || !over.is_object()) {
    base = over;
    return;
  }
  for (auto it = over.begin(); it != over.end(); ++it) {
    if (base.contains(it.key())) {
      deep_merge(base[it.key()], it.value());
    } else {
      base[it.key()] = it.value();
    }
  }
}

void apply_override(nlohmann::json& root, const std::string& assignment) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw InputError(fmt::format("--set {}: expected path.to.key=value", assignment));
  }
  const std::string path = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error&) {
    value = text;  // not JSON: a plain string such as "400GB/s" or "dualpipe"
  } catch (const nlohmann::json::out_of_range&) {
    value = text;  // a number beyond double (1e400): kept as written, so reading it as a number fails cleanly
  }
  nlohmann::json* node = &root;
  std::string walked;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (key.empty()) throw InputError(fmt::format("--set {}: empty key in path \"{}\"", assignment, path));
    const bool last = dot == std::string::npos;
    if (node->is_array()) {
      size_t index = 0;
      try {
        index = std::stoul(key);
      } catch (const std::exception&) {
        throw InputError(fmt::format("--set {}: \"{}\" is a list; \"{}\" is not an index", assignment, walked, key));
      }
      if (index >= node->size()) {
        throw InputError(fmt::format("--set {}: index {} out of range for \"{}\" ({} entries)", assignment, index,
                                     walked, node->size()));
      }
      node = &(*node)[index];
    } else if (node->is_object()) {
      if (!last && !node->contains(key)) {
        throw InputError(fmt::format("--set {}: no key \"{}\" under \"{}\"", assignment, key,
                                     walked.empty() ? "(top level)" : walked));
      }
      node = &(*node)[key];
    } else {
      throw InputError(fmt::format("--set {}: \"{}\" is not an object", assignment, walked));
    }
    walked = join_path(walked, key);
    if (last) break;
    start = dot + 1;
  }
  *node = std::move(value);
}

ScenarioDocument load_scenario(const fs::path& file, const std::vector<std::string>& set_overrides) {
  ScenarioDocument doc;
  doc.file = file;
  doc.label = file.filename().string();
  doc.base_dir = fs::absolute(file).parent_path();
  std::error_code ec;  // non-throwing: a name too long for the OS is "does not exist"
  if (!fs::exists(file, ec)) throw InputError(fmt::format("{}: scenario file does not exist", file.string()));
  doc.root = read_json_file(file);
  if (!doc.root.is_object()) throw InputError(fmt::format("{}: top level must be a JSON object", doc.label));
  const fs::path top = fs::absolute(file).lexically_normal();
  std::vector<fs::path> stack = {top};
  resolve_includes(doc.root, top, "", stack);  // not stack.front(): the stack grows and reallocates
  for (const auto& assignment : set_overrides) apply_override(doc.root, assignment);
  return doc;
}

}  // namespace fathom
