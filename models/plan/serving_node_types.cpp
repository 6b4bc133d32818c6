// The node types of the serving search (`plan.node_types`, or the library's hw/nodes/): each read as the
// scenario on that node, or kept with why it cannot run it.

#include "models/plan/serving_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hw/calibration_match.h"
#include "hw/node_spec.h"
#include "models/serving/serving_inputs.h"
#include "sim/error.h"
#include "sim/spec_reader.h"

namespace fathom::models::plan {

namespace {

// The .json files of the first directory `sub` (relative, e.g. "hw/nodes") that has any: the scenario's own,
// then the library's; as paths relative to that directory's root, sorted.
std::vector<std::string> library_files(const ScenarioDocument& doc, const std::string& sub) {
  std::vector<std::filesystem::path> dirs{doc.base_dir};
  dirs.insert(dirs.end(), doc.search_dirs.begin(), doc.search_dirs.end());
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir / sub, ec)) continue;
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(dir / sub, ec)) {
      if (e.path().extension() == ".json") files.push_back(sub + "/" + e.path().filename().string());
    }
    std::sort(files.begin(), files.end());
    if (!files.empty()) return files;
  }
  return {};
}

// The words of a calibration's `device` ("NVIDIA Blackwell (B200, GB200, GB300)": NVIDIA, BLACKWELL, B200, ...).
std::vector<std::string> device_words(const std::string& device) {
  std::vector<std::string> words;
  std::string w;
  for (const char ch : device + " ") {
    if (std::isalnum(static_cast<unsigned char>(ch))) {
      w += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    } else if (!w.empty()) {
      words.push_back(w);
      w.clear();
    }
  }
  return words;
}

// The library calibration whose device names `model` (hw::gpu_model_key) among its words; nullopt when none.
std::optional<std::string> library_calibration(const ScenarioDocument& doc, const std::string& model) {
  for (const std::string& f : library_files(doc, "calibration")) {
    const nlohmann::json j = load_scenario(doc.resolve_path(f)).root;
    if (!j.contains("device") || !j["device"].is_string()) continue;
    const std::vector<std::string> words = device_words(j["device"].get<std::string>());
    if (std::find(words.begin(), words.end(), model) != words.end()) return f;
  }
  return std::nullopt;
}

constexpr const char* kPriceTable = "hw/gpu-hour-prices.json";

// The library's price entry ({"value", "range", "source"}) for `model`, the table's `prices` keyed by model key;
// nullopt when the table or the entry is missing.
std::optional<nlohmann::json> library_price(const ScenarioDocument& doc, const std::string& model) {
  const auto path = doc.resolve_path(kPriceTable);
  std::error_code missing;
  if (!std::filesystem::is_regular_file(path, missing)) return std::nullopt;
  const nlohmann::json table = load_scenario(path).root;
  if (!table.contains("prices") || !table["prices"].contains(model)) return std::nullopt;
  return table["prices"][model];
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
    for (const std::string& f : library_files(doc, "hw/nodes")) choices.push_back({f, std::nullopt, std::nullopt});
  }
  if (choices.empty()) throw InputError(fmt::format("{}: plan.node_types: no hw/nodes/ directory found", doc.label));
  ScenarioDocument as_written = doc;
  as_written.root.erase("plan");
  const serving::ServingInputs scenario = serving::read_serving_inputs(as_written, nullptr);
  const std::string scenario_model = hw::gpu_model_key(scenario.cluster.node.gpu.name);
  std::vector<ServingNodeType> out;
  for (size_t i = 0; i < choices.size(); ++i) {
    const NodeChoice& c = choices[i];
    ServingNodeType t;
    t.scenario = doc.label;
    t.file = c.file;
    const auto path = doc.resolve_path(c.file);
    std::error_code missing;
    if (!std::filesystem::is_regular_file(path, missing)) {
      throw InputError(fmt::format("{}: plan.node_types.{}: {}", doc.label, i, doc.not_found(c.file)));
    }
    ScenarioDocument variant = as_written;
    variant.root["cluster"]["node"] = load_scenario(path).root;
    try {
      const hw::NodeSpec node = hw::read_node_spec(SpecReader(variant.root["cluster"]["node"], c.file, ""));
      const std::string model = hw::gpu_model_key(node.gpu.name);
      const bool own_model = model == scenario_model;
      // As read_serving_inputs read it (a plain path or {"value", "source"}): root.value("calibration", "")
      // threw json's type_error on the sourced form.
      const std::string written = SpecReader(as_written.root, doc.label, "").text("calibration");
      t.calibration = written;
      if (c.calibration) {
        t.calibration = *c.calibration;
      } else if (!own_model) {
        t.calibration = library_calibration(doc, model).value_or(t.calibration);
      }
      if (t.calibration != written) variant.root["calibration"] = t.calibration;
      if (c.gpu_hour_price) {
        t.price_source = fmt::format("plan.node_types.{}.gpu_hour_price", i);
      } else if (own_model) {
        t.price_source = "the scenario's economics.gpu_hour_price";
      } else if (const auto price = library_price(doc, model)) {
        variant.root["economics"]["gpu_hour_price"] = *price;
        const bool sourced = price->contains("source") && (*price)["source"].is_string();
        t.price_source =
            fmt::format("{} ({})", kPriceTable, sourced ? (*price)["source"].get<std::string>() : "no source");
      } else {
        throw InputError(
            fmt::format("no GPU-hour price for {} (give plan.node_types.{}.gpu_hour_price, or add {} to {})",
                        node.gpu.name, i, model, kPriceTable));
      }
      units_in_nodes_of(variant.root, node.gpus_per_node);
      t.inputs = serving::read_serving_inputs(variant, nullptr);
      serving::storage_bandwidth_per_gpu(*t.inputs);  // prefix-cache hits need a storage NIC on the node
      if (c.gpu_hour_price) t.inputs->economics.gpu_hour_price = *c.gpu_hour_price;
      t.gpu = t.inputs->cluster.node.gpu.name;
      t.calibration_mismatch = hw::calibration_mismatch(t.inputs->kernels.gpu(), t.inputs->kernels.calibration());
    } catch (const InputError& e) {
      t.inputs.reset();
      const nlohmann::json& node = variant.root["cluster"]["node"];
      t.gpu = node.is_object() && node.contains("name") && node["name"].is_string() ? node["name"].get<std::string>()
                                                                                    : c.file;
      t.skipped = e.what();
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace fathom::models::plan
