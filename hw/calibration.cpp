#include "hw/calibration.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "hw/kernel_family_registry.h"
#include "sim/scenario_document.h"
#include "sim/strict_json.h"

namespace fathom::hw {
namespace {

// A required {"value": ..., "source": "..."} number; the source must be given explicitly.
CalibratedValue read_value(const SpecReader& r, std::string_view key) {
  if (r.has(key)) {
    const nlohmann::json& v = r.node()[std::string(key)];
    if (!v.is_object() || !v.contains("source")) {
      r.fail(key, "expected {\"value\": ..., \"source\": \"measured:|published:|assumed:...\"}");
    }
  }
  CalibratedValue out;
  const bool is_time = key == "overhead" || key == "k_block_floor";
  out.value = is_time ? r.quantity<Seconds>(key).value() : r.number(key);
  // SpecReader has already validated the source text; parse it again to keep it.
  out.source = Provenance::parse(r.node()[std::string(key)]["source"].get<std::string>());
  return out;
}

std::vector<std::string> read_strings(const SpecReader& r, std::string_view key) {
  const nlohmann::json& v = r.raw(key);
  if (!v.is_array()) r.fail(key, "expected a list of strings");
  std::vector<std::string> out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) r.fail(key, fmt::format("entry {} is not a string: {}", i, brief(v[i])));
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

// The tiled GEMM model's two parameters: both or neither, and only for GEMM families.
void read_tile_parameters(const SpecReader& r, KernelFamily family, FamilyParameters& p) {
  const bool floor = r.has("k_block_floor"), exposure = r.has("epilogue_exposure");
  if (!floor && !exposure) return;
  if (!is_gemm_family(family)) {
    r.fail(floor ? "k_block_floor" : "epilogue_exposure", "only GEMM families have the tiled model's parameters");
  }
  if (floor != exposure) {
    r.fail(floor ? "epilogue_exposure" : "k_block_floor", "required with the other tiled-GEMM parameter");
  }
  p.k_block_floor_s = read_value(r, "k_block_floor");
  p.epilogue_exposure = read_value(r, "epilogue_exposure");
  if (!(p.k_block_floor_s->value >= 0.0)) r.fail("k_block_floor", "must be >= 0");
  if (!(p.epilogue_exposure->value >= 0.0 && p.epilogue_exposure->value <= 1.0)) {
    r.fail("epilogue_exposure", "must be in [0, 1]");
  }
}

FamilyParameters read_parameters(const SpecReader& r, KernelFamily family) {
  FamilyParameters p;
  p.compute_efficiency_max = read_value(r, "compute_efficiency_max");
  p.compute_half_shape = read_value(r, "compute_half_shape");
  p.memory_efficiency = read_value(r, "memory_efficiency");
  p.overhead_s = read_value(r, "overhead");
  p.roofline_sharpness = read_value(r, "roofline_sharpness");
  const auto in_unit_interval = [&](std::string_view key, double v) {
    if (!(v > 0.0 && v <= 1.0)) r.fail(key, fmt::format("must be in (0, 1], got {}", v));
  };
  in_unit_interval("compute_efficiency_max", p.compute_efficiency_max.value);
  in_unit_interval("memory_efficiency", p.memory_efficiency.value);
  if (!(p.compute_half_shape.value >= 0.0)) r.fail("compute_half_shape", "must be >= 0");
  if (!(p.overhead_s.value >= 0.0)) r.fail("overhead", "must be >= 0");
  if (!(p.roofline_sharpness.value >= 1.0)) r.fail("roofline_sharpness", "must be >= 1");
  read_tile_parameters(r, family, p);
  return p;
}

FitStatistics read_fit(const SpecReader& r) {
  FitStatistics f;
  f.rows_fitted = r.at_least("rows_fitted", r.integer("rows_fitted"), 1);
  f.rows_held_out = r.at_least("rows_held_out", r.integer("rows_held_out"), 0);
  f.rows_excluded = r.at_least("rows_excluded", r.integer("rows_excluded"), 0);
  f.fitted_median_rel_error = r.number("fitted_median_rel_error");
  f.fitted_worst_rel_error = r.number("fitted_worst_rel_error");
  f.held_out_median_rel_error = r.number("held_out_median_rel_error");
  f.held_out_worst_rel_error = r.number("held_out_worst_rel_error");
  f.tables = read_strings(r, "tables");
  f.notes = read_strings(r, "notes");
  if (r.has("held_out_shapes")) {
    for (const SpecReader& e : r.objects("held_out_shapes")) {
      ShapeError se;
      se.shape = e.text("shape");
      se.rows = e.at_least("rows", e.integer("rows"), 1);
      se.median_rel_error = e.number("median_rel_error");
      se.worst_rel_error = e.number("worst_rel_error");
      e.finish();
      f.held_out_shapes.push_back(std::move(se));
    }
  }
  r.finish();
  return f;
}

// Six significant digits: enough for the model, short enough to read.
double rounded(double v) {
  if (v == 0.0 || !std::isfinite(v)) return v;
  const double scale = std::pow(10.0, 5 - std::floor(std::log10(std::fabs(v))));
  return std::round(v * scale) / scale;
}

nlohmann::json value_json(const CalibratedValue& v) {
  return {{"value", rounded(v.value)}, {"source", v.source.to_string()}};
}

nlohmann::json seconds_json(const CalibratedValue& v) {
  return {{"value", fmt::format("{}us", rounded(v.value * 1e6))}, {"source", v.source.to_string()}};
}

}  // namespace

const FamilyParameters& Calibration::parameters(KernelFamily family) const {
  const auto it = families.find(family);
  if (it == families.end())
    throw std::out_of_range("calibration has no parameters for " + std::string(to_string(family)));
  return it->second.parameters;
}

Calibration read_calibration(const SpecReader& r) {
  Calibration c;
  c.device = r.text("device");
  const SpecReader prov = r.child("provenance");
  c.method = prov.text("method");
  c.tables = read_strings(prov, "tables");
  c.hold_out = prov.text("hold_out");
  if (prov.has("scaled_from")) c.scaled_from = prov.text("scaled_from");
  prov.finish();
  const SpecReader fams = r.child("families");
  for (const auto& entry : kernel_family_registry().entries()) {
    if (!fams.has(entry.name)) {
      fams.fail(entry.name, "missing: every kernel family needs parameters (measured, published or assumed)");
    }
    const SpecReader f = fams.child(entry.name);
    FamilyCalibration fc;
    fc.parameters = read_parameters(f, entry.make.family);
    if (f.has("fit")) fc.fit = read_fit(f.child("fit"));
    f.finish();
    c.families[entry.make.family] = std::move(fc);
  }
  fams.finish();
  r.finish();
  return c;
}

Calibration load_calibration(const std::filesystem::path& file) {
  const nlohmann::json root = read_json_file(file);
  return read_calibration(SpecReader(root, file.filename().string(), ""));
}

nlohmann::json calibration_to_json(const Calibration& c) {
  nlohmann::json families = nlohmann::json::object();
  for (const auto& [family, fc] : c.families) {
    const FamilyParameters& p = fc.parameters;
    nlohmann::json f = {
        {"compute_efficiency_max", value_json(p.compute_efficiency_max)},
        {"compute_half_shape", value_json(p.compute_half_shape)},
        {"memory_efficiency", value_json(p.memory_efficiency)},
        {"overhead", seconds_json(p.overhead_s)},
        {"roofline_sharpness", value_json(p.roofline_sharpness)},
    };
    if (p.k_block_floor_s) f["k_block_floor"] = seconds_json(*p.k_block_floor_s);
    if (p.epilogue_exposure) f["epilogue_exposure"] = value_json(*p.epilogue_exposure);
    if (fc.fit) {
      const FitStatistics& s = *fc.fit;
      f["fit"] = {{"rows_fitted", s.rows_fitted},
                  {"rows_held_out", s.rows_held_out},
                  {"rows_excluded", s.rows_excluded},
                  {"fitted_median_rel_error", rounded(s.fitted_median_rel_error)},
                  {"fitted_worst_rel_error", rounded(s.fitted_worst_rel_error)},
                  {"held_out_median_rel_error", rounded(s.held_out_median_rel_error)},
                  {"held_out_worst_rel_error", rounded(s.held_out_worst_rel_error)},
                  {"tables", s.tables},
                  {"notes", s.notes}};
      if (!s.held_out_shapes.empty()) {
        nlohmann::json shapes = nlohmann::json::array();
        for (const ShapeError& e : s.held_out_shapes) {
          shapes.push_back({{"shape", e.shape},
                            {"rows", e.rows},
                            {"median_rel_error", rounded(e.median_rel_error)},
                            {"worst_rel_error", rounded(e.worst_rel_error)}});
        }
        f["fit"]["held_out_shapes"] = std::move(shapes);
      }
    }
    families[std::string(to_string(family))] = std::move(f);
  }
  nlohmann::json provenance = {{"method", c.method}, {"tables", c.tables}, {"hold_out", c.hold_out}};
  if (!c.scaled_from.empty()) provenance["scaled_from"] = c.scaled_from;
  return {{"device", c.device}, {"provenance", std::move(provenance)}, {"families", std::move(families)}};
}

}  // namespace fathom::hw
