#include "tools/trace_input.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "hw/calibration_match.h"
#include "sim/error.h"
#include "sim/strict_json.h"
#include "tools/build_info.h"

namespace fathom::tools {

calib::TracePatterns load_trace_patterns(const std::vector<std::string>& user_files) {
  calib::TracePatterns patterns;
  std::error_code ec;
  std::string looked;
  bool shipped = false;
  for (const std::filesystem::path& dir : scenario_library()) {
    const std::filesystem::path file = dir / "calibration" / "trace-patterns.json";
    looked += (looked.empty() ? "" : ", ") + file.string();
    if (std::filesystem::is_regular_file(file, ec)) {
      patterns.read(file);
      shipped = true;
      break;
    }
  }
  if (!shipped) {
    throw InputError(
        fmt::format("trace patterns: calibration/trace-patterns.json not found in the scenario library "
                    "(looked in {}); set FATHOM_SCENARIOS to fathom's scenarios/ directory",
                    looked.empty() ? "no directory" : printable(looked, 200)));
  }
  for (auto it = user_files.rbegin(); it != user_files.rend(); ++it) {
    if (!std::filesystem::is_regular_file(*it, ec)) {
      throw InputError(fmt::format("--patterns {}: file not found", printable(*it, 200)));
    }
    patterns.read_first(*it);
  }
  return patterns;
}

calib::KinetoTrace read_gpu_trace(const std::string& file) {
  calib::KinetoTrace trace = calib::read_kineto_trace(file);
  if (trace.kernels.empty()) {
    throw InputError(
        fmt::format("{}: traceEvents: no GPU events (\"ph\": \"X\", \"cat\": \"kernel\") among its {} events: "
                    "a CPU-only trace has no kernel times; profile on the GPU with ProfilerActivity.CUDA",
                    trace.file, trace.events));
  }
  return trace;
}

std::string shipped_gpu_file(const std::string& device) {
  if (device.empty()) return "";
  const std::string key = hw::gpu_model_key(device);
  std::error_code ec;
  for (const std::filesystem::path& dir : scenario_library()) {
    const std::filesystem::path gpus = dir / "hw" / "gpus";
    if (!std::filesystem::is_directory(gpus, ec)) continue;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(gpus, ec)) {
      if (entry.path().extension() == ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      const nlohmann::json doc = read_json_file(f);
      if (doc.is_object() && doc.contains("name") && doc["name"].is_string() &&
          hw::gpu_model_key(doc["name"].get<std::string>()) == key) {
        return f.string();
      }
    }
  }
  return "";
}

}  // namespace fathom::tools
