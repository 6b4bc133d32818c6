#pragma once
// Whether a run prices a GPU with a kernel calibration measured on another GPU (e.g. the H800 curves
// used for an H100 or H200 what-if), and which kernel families that affects. Generic over run kinds:
// training reports it today; serving and unit runs can call the same function.
//
// Contract:
//  - The GPU and the calibration's device are compared by their model key (gpu_model_key): case and the
//    vendor word are ignored, and the first word holding a digit names the model ("NVIDIA H100 SXM5" and
//    "NVIDIA H100 80GB HBM3" are both "H100"; "NVIDIA GeForce RTX 4090" is "4090"). A name without such
//    a word is compared whole (upper case, single spaces). Board variants of one chip (SXM, PCIe, NVL)
//    therefore count as the same GPU.
//  - The affected families are those with at least one parameter whose source is measured or published
//    (scanned from calibration_to_json, so every provenance the file carries counts): their curves were fitted to
//    another GPU's kernel timings. Families whose parameters are all assumed are not listed: an assumption
//    is as much (or as little) about one GPU as about the other.
//  - A scaled calibration (Calibration::scaled_from non-empty: another GPU's fitted curves times assumed
//    per-family factors, the Blackwell file) is a mismatch for every GPU, even one of its own `device`:
//    calibration_device is then the GPU the curves were fitted on, `scaled` is true and `families` lists
//    every family, since none was calibrated on the GPU priced.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "hw/calibration.h"
#include "hw/gpu_spec.h"

namespace fathom::hw {

struct CalibrationMismatch {
  std::string calibration_device;  // Calibration::device
  std::string gpu;                 // GpuSpec::name of the GPU the run prices
  std::vector<std::string>
      families;            // kernel family names (to_string(KernelFamily)) with measured/published parameters
  bool scaled = false;     // the curves are calibration_device's times assumed factors (scaled_from)
  std::string scaled_for;  // scaled only: the calibration's own device name (what it was scaled for)
};

// The model key of a GPU name (see the contract), e.g. "H800".
std::string gpu_model_key(std::string_view name);

// The families of `calibration` with at least one measured or published parameter, in family order.
std::vector<std::string> calibrated_families(const Calibration& calibration);

// nullopt when the calibration was made on `gpu` (same model key); otherwise what the run borrows.
std::optional<CalibrationMismatch> calibration_mismatch(const GpuSpec& gpu, const Calibration& calibration);

// {"calibration_device": ..., "gpu": ..., "families": [...]}, plus "scaled_by_assumed_factors": true and
// "scaled_for" when scaled; null for nullopt.
nlohmann::json calibration_mismatch_json(const std::optional<CalibrationMismatch>& mismatch);

// One line for a text report, e.g. "kernel calibration of NVIDIA H800 SXM5 used for NVIDIA H100 SXM5:
// measured/published curves of dense_gemm, ... are another GPU's"; empty for nullopt.
std::string calibration_mismatch_text(const std::optional<CalibrationMismatch>& mismatch);

}  // namespace fathom::hw
