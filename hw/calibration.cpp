#include "hw/calibration.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "hw/kernel_family_registry.h"
#include "sim/scenario_document.h"

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
  out.value = key == "overhead" ? r.quantity<Seconds>(key).value() : r.number(key);
  // SpecReader has already validated the source text; parse it again to keep it.
  out.source = Provenance::parse(r.node()[std::string(key)]["source"].get<std::string>());
  return out;
}

std::vector<std::string> read_strings(const SpecReader& r, std::string_view key) {
  const nlohmann::json& v = r.raw(key);
  if (!v.is_array()) r.fail(key, "expected a list of strings");
  std::vector<std::string> out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) r.fail(key, fmt::format("entry {} is not a string: {}", i, v[i].dump()));
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

FamilyParameters read_parameters(const SpecReader& r) {
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
  prov.finish();
  const SpecReader fams = r.child("families");
  for (const auto& entry : kernel_family_registry().entries()) {
    if (!fams.has(entry.name)) {
      fams.fail(entry.name, "missing: every kernel family needs parameters (measured, published or assumed)");
    }
    const SpecReader f = fams.child(entry.name);
    FamilyCalibration fc;
    fc.parameters = read_parameters(f);
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
        {"overhead",
         {{"value", fmt::format("{}us", rounded(p.overhead_s.value * 1e6))},
          {"source", p.overhead_s.source.to_string()}}},
        {"roofline_sharpness", value_json(p.roofline_sharpness)},
    };
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
    }
    families[std::string(to_string(family))] = std::move(f);
  }
  return {{"device", c.device},
          {"provenance", {{"method", c.method}, {"tables", c.tables}, {"hold_out", c.hold_out}}},
          {"families", std::move(families)}};
}

}  // namespace fathom::hw
