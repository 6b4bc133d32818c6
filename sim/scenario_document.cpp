#include "sim/scenario_document.h"

#include <fmt/format.h>

#include <algorithm>

#include "sim/error.h"

namespace fathom {
namespace fs = std::filesystem;
namespace {

constexpr const char* kIncludeKey = "$include";

std::string join_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

std::string looked_in(const std::vector<fs::path>& candidates) {
  std::string out;
  for (const fs::path& c : candidates) out += (out.empty() ? "" : ", ") + printable(c.string(), 160);
  return out;
}

bool is_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

// State of one resolution: the files open (for cycles) and the directories tried after the including
// file's own.
struct IncludeContext {
  std::vector<fs::path> stack;
  std::vector<fs::path> search_dirs;
};

void resolve_includes(nlohmann::json& node, const std::string& label, const std::vector<fs::path>& bases,
                      const std::string& json_path, IncludeContext& ctx);

nlohmann::json load_included(const std::string& label, const std::vector<fs::path>& bases, const std::string& where,
                             const nlohmann::json& ref, IncludeContext& ctx) {
  if (!ref.is_string()) {
    throw InputError(fmt::format("{}: {}: \"$include\" must be a file path string or a list of them, got {}", label,
                                 where, brief(ref)));
  }
  const std::string rel = ref.get<std::string>();
  std::vector<fs::path> dirs = bases;
  dirs.insert(dirs.end(), ctx.search_dirs.begin(), ctx.search_dirs.end());
  const std::vector<fs::path> candidates = candidate_paths(rel, dirs);
  const auto found = std::find_if(candidates.begin(), candidates.end(), is_file);
  if (found == candidates.end()) {
    throw InputError(fmt::format("{}: {}: included file {} not found; looked in {}", label, where, printable(rel),
                                 looked_in(candidates)));
  }
  const fs::path target = *found;
  for (const auto& open : ctx.stack) {
    std::error_code ec;
    if (fs::equivalent(open, target, ec)) {
      throw InputError(fmt::format("{}: {}: \"$include\" cycle through {}", label, where, printable(target.string())));
    }
  }
  if (static_cast<int>(ctx.stack.size()) > kMaxIncludeDepth) {
    throw InputError(fmt::format("{}: {}: includes nested more than {} files deep", label, where, kMaxIncludeDepth));
  }
  nlohmann::json included = read_json_file(target);
  const std::string target_label = printable(target.filename().string());
  if (!included.is_object()) {
    throw InputError(fmt::format("{}: (top level): an included file must hold a JSON object, got {}", target_label,
                                 brief(included)));
  }
  ctx.stack.push_back(target);
  resolve_includes(included, target_label, {target.parent_path()}, "", ctx);
  ctx.stack.pop_back();
  return included;
}

// Depth-first over objects and arrays. The recursion is bounded: every file is at most kMaxJsonDepth
// deep (strict parsing) and includes nest at most kMaxIncludeDepth files.
void resolve_includes(nlohmann::json& node, const std::string& label, const std::vector<fs::path>& bases,
                      const std::string& json_path, IncludeContext& ctx) {
  if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i)
      resolve_includes(node[i], label, bases, join_path(json_path, std::to_string(i)), ctx);
    return;
  }
  if (!node.is_object()) return;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (it.key() != kIncludeKey) resolve_includes(it.value(), label, bases, join_path(json_path, it.key()), ctx);
  }
  if (!node.contains(kIncludeKey)) return;
  const nlohmann::json refs = node[kIncludeKey];
  node.erase(kIncludeKey);
  nlohmann::json merged = nlohmann::json::object();
  const std::string where = join_path(json_path, kIncludeKey);
  if (refs.is_array()) {
    for (size_t i = 0; i < refs.size(); ++i) {
      deep_merge(merged, load_included(label, bases, join_path(where, std::to_string(i)), refs[i], ctx));
    }
  } else {
    merged = load_included(label, bases, where, refs, ctx);
  }
  deep_merge(merged, node);
  node = std::move(merged);
}

void apply_override_with(nlohmann::json& root, const std::string& assignment, const std::vector<fs::path>& include_dirs,
                         IncludeContext& ctx) {
  if (!is_valid_utf8(assignment)) {
    throw InputError(fmt::format("--set {}: not valid UTF-8 text", printable(assignment)));
  }
  const std::string label = "--set " + printable(assignment);
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) throw InputError(fmt::format("{}: expected path.to.key=value", label));
  const std::string path = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  nlohmann::json value;
  try {
    value = parse_strict_json(text, label, path);
  } catch (const JsonSyntaxError&) {
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
    if (key.empty()) throw InputError(fmt::format("{}: empty key in path \"{}\"", label, printable(path)));
    const bool last = dot == std::string::npos;
    if (node->is_array()) {
      size_t index = 0;
      const bool digits = !key.empty() && key.size() <= 9 &&
                          std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits) {
        throw InputError(
            fmt::format("{}: \"{}\" is a list; \"{}\" is not an index", label, printable(walked), printable(key)));
      }
      index = std::stoul(key);
      if (index >= node->size()) {
        throw InputError(fmt::format("{}: index {} out of range for \"{}\" ({} entries)", label, index,
                                     printable(walked), node->size()));
      }
      node = &(*node)[index];
    } else if (node->is_object()) {
      if (!last && !node->contains(key)) {
        throw InputError(fmt::format("{}: no key \"{}\" under \"{}\"", label, printable(key),
                                     walked.empty() ? "(top level)" : printable(walked)));
      }
      node = &(*node)[key];
    } else {
      throw InputError(fmt::format("{}: \"{}\" is not an object", label, printable(walked)));
    }
    walked = join_path(walked, key);
    if (last) break;
    start = dot + 1;
  }
  resolve_includes(value, label, include_dirs, path, ctx);
  *node = std::move(value);
}

}  // namespace

std::vector<fs::path> candidate_paths(const std::string& relative, const std::vector<fs::path>& dirs) {
  const fs::path p(relative);
  if (p.is_absolute()) return {p.lexically_normal()};
  std::vector<fs::path> out;
  for (const fs::path& d : dirs) {
    const fs::path c = (d / p).lexically_normal();
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  }
  return out;
}

fs::path ScenarioDocument::resolve_path(const std::string& relative) const {
  std::vector<fs::path> dirs = {base_dir};
  dirs.insert(dirs.end(), search_dirs.begin(), search_dirs.end());
  const std::vector<fs::path> candidates = candidate_paths(relative, dirs);
  const auto found = std::find_if(candidates.begin(), candidates.end(), is_file);
  return found != candidates.end() ? *found : candidates.front();
}

std::optional<std::string> ScenarioDocument::kind() const {
  if (!root.is_object() || !root.contains("kind")) return {};
  const nlohmann::json& k = root["kind"];
  if (!k.is_string()) throw InputError(fmt::format("{}: kind: expected a string, got {}", label, brief(k)));
  return k.get<std::string>();
}

std::string ScenarioDocument::name() const {
  if (!root.is_object() || !root.contains("name")) return label;
  const nlohmann::json& n = root["name"];
  if (!n.is_string()) throw InputError(fmt::format("{}: name: expected a string, got {}", label, brief(n)));
  return n.get<std::string>();
}

std::string ScenarioDocument::not_found(const std::string& relative) const {
  std::vector<fs::path> dirs = {base_dir};
  dirs.insert(dirs.end(), search_dirs.begin(), search_dirs.end());
  return fmt::format("file {} not found; looked in {}", printable(relative),
                     looked_in(candidate_paths(relative, dirs)));
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

void apply_override(nlohmann::json& root, const std::string& assignment, const std::vector<fs::path>& include_dirs) {
  IncludeContext ctx;
  apply_override_with(root, assignment, include_dirs, ctx);
}

ScenarioDocument load_scenario(const fs::path& file, const std::vector<std::string>& set_overrides,
                               const std::vector<fs::path>& search_dirs) {
  ScenarioDocument doc;
  doc.file = file;
  doc.label = printable(file.filename().string());
  doc.base_dir = fs::absolute(file).parent_path();
  doc.search_dirs = search_dirs;
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    throw InputError(fmt::format("{}: scenario file not found (looked in {})", printable(file.string(), 200),
                                 printable(fs::absolute(file).lexically_normal().string(), 200)));
  }
  doc.root = read_json_file(file);
  if (!doc.root.is_object()) {
    throw InputError(
        fmt::format("{}: (top level): a scenario must be a JSON object, got {}", doc.label, brief(doc.root)));
  }
  return resolve_scenario(std::move(doc), set_overrides);
}

ScenarioDocument scenario_from_json(nlohmann::json root, const std::string& label, const fs::path& file,
                                    const std::vector<std::string>& set_overrides,
                                    const std::vector<fs::path>& search_dirs) {
  ScenarioDocument doc;
  doc.file = file;
  doc.label = printable(label);
  doc.base_dir = fs::absolute(file).parent_path();
  doc.search_dirs = search_dirs;
  if (!root.is_object()) {
    throw InputError(fmt::format("{}: (top level): a scenario must be a JSON object, got {}", doc.label, brief(root)));
  }
  doc.root = std::move(root);
  return resolve_scenario(std::move(doc), set_overrides);
}

ScenarioDocument resolve_scenario(ScenarioDocument doc, const std::vector<std::string>& set_overrides) {
  const std::vector<fs::path>& search_dirs = doc.search_dirs;
  const fs::path top = fs::absolute(doc.file).lexically_normal();
  IncludeContext ctx{{top}, search_dirs};
  resolve_includes(doc.root, doc.label, {doc.base_dir}, "", ctx);
  // An include inside a --set value: the current directory first (the user typed it there), then
  // the scenario's directory, then the library.
  const std::vector<fs::path> set_dirs = {fs::current_path(), doc.base_dir};
  for (const auto& assignment : set_overrides) {
    IncludeContext set_ctx{{top}, search_dirs};
    apply_override_with(doc.root, assignment, set_dirs, set_ctx);
  }
  return doc;
}

}  // namespace fathom
