#include "hw/calibration_match.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cctype>
#include <sstream>

namespace fathom::hw {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Whether any "source" string under `j` is measured or published.
bool has_evidence(const nlohmann::json& j) {
  if (j.is_object()) {
    for (const auto& [key, v] : j.items()) {
      if (key == "source" && v.is_string()) {
        const SourceKind kind = Provenance::parse(v.get<std::string>()).kind;
        if (kind == SourceKind::measured || kind == SourceKind::published) return true;
      } else if (has_evidence(v)) {
        return true;
      }
    }
  } else if (j.is_array()) {
    for (const auto& v : j)
      if (has_evidence(v)) return true;
  }
  return false;
}

}  // namespace

std::string gpu_model_key(std::string_view name) {
  std::istringstream words{upper(name)};
  std::string word, whole;
  while (words >> word) {
    if (word == "NVIDIA") continue;
    for (char c : word) {
      if (std::isdigit(static_cast<unsigned char>(c))) return word;
    }
    whole += (whole.empty() ? "" : " ") + word;
  }
  return whole;
}

std::vector<std::string> calibrated_families(const Calibration& calibration) {
  std::vector<std::string> out;
  const nlohmann::json families = calibration_to_json(calibration).at("families");
  for (const auto& [family, fc] : calibration.families) {
    const std::string name(to_string(family));
    if (families.contains(name) && has_evidence(families.at(name))) out.push_back(name);
  }
  return out;
}

std::optional<CalibrationMismatch> calibration_mismatch(const GpuSpec& gpu, const Calibration& calibration) {
  if (!calibration.scaled_from.empty()) {
    CalibrationMismatch m{calibration.scaled_from, gpu.name, {}, true, calibration.device};
    for (const auto& [family, fc] : calibration.families) m.families.emplace_back(to_string(family));
    return m;
  }
  if (gpu_model_key(gpu.name) == gpu_model_key(calibration.device)) return std::nullopt;
  return CalibrationMismatch{calibration.device, gpu.name, calibrated_families(calibration), false, ""};
}

nlohmann::json calibration_mismatch_json(const std::optional<CalibrationMismatch>& m) {
  if (!m) return nullptr;
  nlohmann::json j = {{"calibration_device", m->calibration_device}, {"gpu", m->gpu}, {"families", m->families}};
  if (m->scaled) {
    j["scaled_by_assumed_factors"] = true;
    j["scaled_for"] = m->scaled_for;
  }
  return j;
}

std::string calibration_mismatch_text(const std::optional<CalibrationMismatch>& m) {
  if (!m) return "";
  if (m->scaled) {
    return fmt::format(
        "Kernel calibration \"{}\" used for {} is {}'s fitted curves times assumed per-family factors: {} are "
        "uncalibrated on this GPU (the factors' ranges belong in kernel_time_factors for --bands).",
        m->scaled_for, m->gpu, m->calibration_device, fmt::join(m->families, ", "));
  }
  if (m->families.empty()) {
    return fmt::format("Kernel calibration of {} used for {} (all its parameters are assumed).", m->calibration_device,
                       m->gpu);
  }
  return fmt::format(
      "Kernel calibration of {} used for {}: the measured/published curves of {} are the other GPU's kernel "
      "timings, not this GPU's.",
      m->calibration_device, m->gpu, fmt::join(m->families, ", "));
}

}  // namespace fathom::hw
