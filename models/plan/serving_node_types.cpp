// The node types of the serving search (`plan.node_types`, or the library's hw/nodes/): each read as the
// scenario on that node, or kept with why it cannot run it.

#include "models/plan/serving_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hw/node_spec.h"
#include "models/serving/serving_inputs.h"
#include "sim/error.h"

namespace fathom::models::plan {

namespace {

// The first existing hw/nodes directory: the scenario's own, then the library's.
std::vector<std::string> library_node_files(const ScenarioDocument& doc) {
  std::vector<std::filesystem::path> dirs{doc.base_dir};
  dirs.insert(dirs.end(), doc.search_dirs.begin(), doc.search_dirs.end());
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir / "hw" / "nodes", ec)) continue;
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(dir / "hw" / "nodes", ec)) {
      if (e.path().extension() == ".json") files.push_back("hw/nodes/" + e.path().filename().string());
    }
    std::sort(files.begin(), files.end());
    if (!files.empty()) return files;
  }
  return {};
}

// The scenario's prefill and decode units re-expressed in nodes of `gpus_per_node` GPUs, their EP unchanged, where
// it divides (an NVL72 tray of 4 GPUs for a scenario written for 8-GPU nodes: EP32 over 4 nodes becomes 8 trays).
// Elsewhere the scenario is left as written and reading it says why. The search then sets its own unit sizes.
void units_in_nodes_of(nlohmann::json& root, int64_t gpus_per_node) {
  for (const char* phase : {"prefill", "decode"}) {
    if (!root.contains(phase) || !root[phase].is_object()) continue;
    nlohmann::json& section = root[phase];
    if (!section.contains("ep") || !section.contains("nodes_per_unit")) continue;
    nlohmann::json& ep = section["ep"].is_object() ? section["ep"]["value"] : section["ep"];
    nlohmann::json& nodes =
        section["nodes_per_unit"].is_object() ? section["nodes_per_unit"]["value"] : section["nodes_per_unit"];
    if (!ep.is_number_integer() || ep.get<int64_t>() % gpus_per_node != 0) continue;
    nodes = ep.get<int64_t>() / gpus_per_node;
  }
}

}  // namespace

std::vector<ServingNodeType> serving_node_types(const ScenarioDocument& doc, const ServingPlanSpec& spec) {
  std::vector<NodeChoice> choices = spec.node_types;
  if (choices.empty()) {
    for (const std::string& f : library_node_files(doc)) choices.push_back({f, std::nullopt, std::nullopt});
  }
  if (choices.empty()) throw InputError(fmt::format("{}: plan.node_types: no hw/nodes/ directory found", doc.label));
  std::vector<ServingNodeType> out;
  for (size_t i = 0; i < choices.size(); ++i) {
    const NodeChoice& c = choices[i];
    ServingNodeType t;
    t.file = c.file;
    const auto path = doc.resolve_path(c.file);
    std::error_code missing;
    if (!std::filesystem::is_regular_file(path, missing)) {
      throw InputError(fmt::format("{}: plan.node_types.{}: {}", doc.label, i, doc.not_found(c.file)));
    }
    ScenarioDocument variant = doc;
    variant.root.erase("plan");
    variant.root["cluster"]["node"] = load_scenario(path).root;
    if (c.calibration) variant.root["calibration"] = *c.calibration;
    try {
      units_in_nodes_of(variant.root,
                        hw::read_node_spec(SpecReader(variant.root["cluster"]["node"], c.file, "")).gpus_per_node);
      t.inputs = serving::read_serving_inputs(variant, nullptr);
      serving::storage_bandwidth_per_gpu(*t.inputs);  // prefix-cache hits need a storage NIC on the node
      if (c.gpu_hour_price) t.inputs->economics.gpu_hour_price = *c.gpu_hour_price;
      t.gpu = t.inputs->cluster.node.gpu.name;
      t.calibration_mismatch = hw::calibration_mismatch(t.inputs->kernels.gpu(), t.inputs->kernels.calibration());
    } catch (const InputError& e) {
      t.inputs.reset();
      t.gpu = variant.root["cluster"]["node"].value("name", c.file);
      t.skipped = e.what();
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace fathom::models::plan
