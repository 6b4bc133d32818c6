#include "models/plan/plan_spec.h"

#include <fmt/format.h>

#include <algorithm>

#include "models/schedule/registry.h"

namespace fathom::models::plan {
namespace {

constexpr size_t kMaxListEntries = 1000;

const nlohmann::json& list_at(const SpecReader& r, std::string_view key) {
  const nlohmann::json& v = r.raw(key);
  if (!v.is_array()) r.fail(key, "expected a list");
  if (v.empty()) r.fail(key, "the list is empty");
  if (v.size() > kMaxListEntries) r.fail(key, fmt::format("{} entries; at most {}", v.size(), kMaxListEntries));
  return v;
}

std::vector<bool> bool_list(const SpecReader& r, std::string_view key) {
  const nlohmann::json& v = list_at(r, key);
  std::vector<bool> out;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string at = fmt::format("{}.{}", key, i);
    if (!v[i].is_boolean()) r.fail(at, "expected true or false");
    if (std::find(out.begin(), out.end(), v[i].get<bool>()) != out.end()) r.fail(at, "listed twice");
    out.push_back(v[i].get<bool>());
  }
  return out;
}

std::vector<std::string> schedule_list(const SpecReader& r, std::string_view key) {
  const nlohmann::json& v = list_at(r, key);
  std::vector<std::string> out;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string at = fmt::format("{}.{}", key, i);
    if (!v[i].is_string()) r.fail(at, "expected a schedule name");
    const std::string name = v[i].get<std::string>();
    schedule::schedule_registry().get(name, r.label() + ": " + r.path_of(at));  // names the closest spelling
    if (std::find(out.begin(), out.end(), name) != out.end()) r.fail(at, "listed twice");
    out.push_back(name);
  }
  return out;
}

std::vector<NodeChoice> node_list(const SpecReader& r, std::string_view key) {
  const nlohmann::json& v = list_at(r, key);
  std::vector<NodeChoice> out;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string at = fmt::format("{}.{}", key, i);
    NodeChoice c;
    if (v[i].is_string()) {
      c.file = v[i].get<std::string>();
    } else if (v[i].is_object()) {
      const SpecReader e(v[i], r.label(), r.path_of(at), r.log());
      c.file = e.text("node");
      if (e.has("calibration")) c.calibration = e.text("calibration");
      if (e.has("gpu_hour_price")) c.gpu_hour_price = e.quantity<UsdPerHour>("gpu_hour_price");
      e.finish();
    } else {
      r.fail(at, "expected a node file path or {\"node\", \"calibration\", \"gpu_hour_price\"}");
    }
    if (c.file.empty()) r.fail(at, "empty node file path");
    for (const NodeChoice& o : out) {
      if (o.file == c.file) r.fail(at, "listed twice");
    }
    out.push_back(c);
  }
  return out;
}

std::vector<int64_t> range(int64_t from, int64_t to) {
  std::vector<int64_t> out;
  for (int64_t i = from; i <= to; ++i) out.push_back(i);
  return out;
}

}  // namespace

std::vector<int64_t> integer_list(const SpecReader& r, std::string_view key, std::vector<int64_t> fallback,
                                  int64_t minimum, int64_t maximum) {
  if (!r.has(key)) return fallback;
  const nlohmann::json& v = list_at(r, key);
  std::vector<int64_t> out;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string at = fmt::format("{}.{}", key, i);
    if (!v[i].is_number_integer()) r.fail(at, "expected an integer");
    // Above 2^63, get<int64_t>() wraps to a negative number and the error line would name that number.
    if (v[i].is_number_unsigned() && v[i].get<uint64_t>() > static_cast<uint64_t>(maximum)) {
      r.fail(at, fmt::format("{} is outside [{}, {}]", v[i].get<uint64_t>(), minimum, maximum));
    }
    const int64_t x = v[i].get<int64_t>();
    if (x < minimum || x > maximum) r.fail(at, fmt::format("{} is outside [{}, {}]", x, minimum, maximum));
    if (std::find(out.begin(), out.end(), x) != out.end()) r.fail(at, fmt::format("{} listed twice", x));
    out.push_back(x);
  }
  return out;
}

ServingPlanSpec read_serving_plan(const std::optional<SpecReader>& plan) {
  ServingPlanSpec s;
  s.prefill_nodes_per_unit = range(1, 16);
  s.decode_nodes_per_unit = range(1, 40);
  s.redundant_experts = {0, 32, 64};
  s.decode_batch_limits = {0, 4, 8, 16, 32, 64, 128};
  if (!plan) return s;
  const SpecReader& r = *plan;
  if (r.has("objective")) s.objective = r.choice("objective", {"cost", "gpu_hours"});
  if (r.has("node_types")) s.node_types = node_list(r, "node_types");
  s.prefill_nodes_per_unit = integer_list(r, "prefill_nodes_per_unit", s.prefill_nodes_per_unit, 1, 4096);
  s.decode_nodes_per_unit = integer_list(r, "decode_nodes_per_unit", s.decode_nodes_per_unit, 1, 4096);
  s.redundant_experts = integer_list(r, "redundant_experts", s.redundant_experts, 0, 1 << 20);
  s.decode_batch_limits = integer_list(r, "decode_batch_limits", s.decode_batch_limits, 0, 1 << 20);
  if (r.has("mtp")) s.mtp = bool_list(r, "mtp");
  if (r.has("top")) s.top = r.at_most("top", r.at_least("top", r.integer("top"), 1), 1000);
  if (r.has("check_best")) s.check_best = r.boolean("check_best");
  r.finish();
  return s;
}

TrainingPlanSpec read_training_plan(const std::optional<SpecReader>& plan, int64_t scenario_nodes) {
  TrainingPlanSpec s;
  for (const int64_t n : {scenario_nodes / 4, scenario_nodes / 2, scenario_nodes, scenario_nodes * 2}) {
    if (n >= 1 && std::find(s.cluster_nodes.begin(), s.cluster_nodes.end(), n) == s.cluster_nodes.end()) {
      s.cluster_nodes.push_back(n);
    }
  }
  s.pp = {1, 2, 4, 8, 16, 32};
  s.ep = {8, 16, 32, 64, 128, 256};
  s.micro_batch_sequences = {1, 2, 4};
  // Interleaved 1F1B by default only when plan.virtual_stages is given: without it the search keeps the
  // scenario's training.virtual_stages, which is 1 in most scenarios (Megatron's v = 1 warm-up variant of 1F1B,
  // not interleaving).
  for (const auto& e : schedule::schedule_registry().entries()) {
    if (!e.make.traits.virtual_stages) s.schedules.push_back(e.name);
  }
  if (!plan) return s;
  const SpecReader& r = *plan;
  if (r.has("objective")) s.objective = r.choice("objective", {"time", "cost"});
  s.cluster_nodes = integer_list(r, "cluster_nodes", s.cluster_nodes, 1, 1000000);
  s.pp = integer_list(r, "pp", s.pp, 1, 1024);
  s.ep = integer_list(r, "ep", s.ep, 1, 1 << 20);
  // Checked against the model and the node when the scenario is read (check_tp_list, training_plan.h).
  s.tp = integer_list(r, "tp", s.tp, 1, 1024);
  s.virtual_stages = integer_list(r, "virtual_stages", s.virtual_stages, 1, 1024);
  if (r.has("virtual_stages") && !r.has("schedules")) {
    for (const auto& e : schedule::schedule_registry().entries()) {
      if (e.make.traits.virtual_stages) s.schedules.push_back(e.name);
    }
  }
  s.micro_batch_sequences = integer_list(r, "micro_batch_sequences", s.micro_batch_sequences, 1, 1 << 20);
  if (r.has("schedules")) s.schedules = schedule_list(r, "schedules");
  if (r.has("top")) s.top = r.at_most("top", r.at_least("top", r.integer("top"), 1), 1000);
  if (r.has("check_top")) s.check_top = r.at_most("check_top", r.at_least("check_top", r.integer("check_top"), 0), 100);
  r.finish();
  return s;
}

}  // namespace fathom::models::plan
