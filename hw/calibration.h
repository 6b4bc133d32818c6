#pragma once
// The calibrated parameters of the kernel cost model for one GPU (scenarios/calibration/*.json):
// for every kernel family, the efficiency-curve parameters (each with its provenance) and the
// statistics of the fit that produced them. Read strictly; written by `fathom calibrate fit`.
//
// File shape (docs/calibration.md):
//   {"device": "...", "provenance": {"method": "...", "tables": [..], "hold_out": "..."},
//    "families": {"dense_gemm": {"compute_efficiency_max": {"value": 0.7, "source": "measured:..."},
//                                 "compute_half_shape": {...}, "memory_efficiency": {...},
//                                 "overhead": {"value": "4.1us", "source": "..."},
//                                 "roofline_sharpness": {...}, "fit": {...},
//                                 "k_block_floor": {"value": "0.1us", ...}, "epilogue_exposure": {"value": 0.5, ...}},
//                                 ...}}
//   (k_block_floor and epilogue_exposure: GEMM families only, both or neither)

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hw/kernel_work.h"
#include "sim/provenance.h"
#include "sim/spec_reader.h"
#include "sim/units.h"

namespace fathom::hw {

// One calibrated number and where it came from.
struct CalibratedValue {
  double value = 0.0;
  Provenance source;
};

// The efficiency curve of one kernel family (hw/kernel_cost_model.h gives the formula).
struct FamilyParameters {
  CalibratedValue compute_efficiency_max;  // e_max in (0, 1]: fraction of the dtype's dense peak
  CalibratedValue compute_half_shape;      // s_half >= 0, in the family's shape variable; 0 = flat
  CalibratedValue memory_efficiency;       // e_mem in (0, 1]: fraction of the HBM bandwidth
  CalibratedValue overhead_s;              // fixed time per launch, seconds
  CalibratedValue roofline_sharpness;      // p >= 1 of the smooth max (t_c^p + t_m^p)^(1/p)
  // GEMM families only: the tiled model's per-step floor (seconds) and the fraction of the epilogue
  // store not overlapped with the next tile (0..1). Present (both) = tiled GEMM model; absent = the
  // curve in m (hw/efficiency_curve.h).
  std::optional<CalibratedValue> k_block_floor_s;
  std::optional<CalibratedValue> epilogue_exposure;
};

// The held-out error of one shape family: its rows predicted by a fit to every other shape.
struct ShapeError {
  std::string shape;  // e.g. "fp8 groups=1 n=7168 k=2048"
  int64_t rows = 0;
  double median_rel_error = 0.0;
  double worst_rel_error = 0.0;
};

// How well the parameters reproduce the rows they were fitted to, and the held-out rows (each shape
// family left out of the fit in turn). Relative error = |t_pred - t_meas| / t_meas.
struct FitStatistics {
  int64_t rows_fitted = 0;
  int64_t rows_held_out = 0;
  int64_t rows_excluded = 0;
  double fitted_median_rel_error = 0.0;
  double fitted_worst_rel_error = 0.0;
  double held_out_median_rel_error = 0.0;  // 0 when rows_held_out == 0
  double held_out_worst_rel_error = 0.0;
  std::vector<std::string> tables;          // where the rows came from (file names, published row ids)
  std::vector<std::string> notes;           // exclusions, bound checks, fixed parameters
  std::vector<ShapeError> held_out_shapes;  // per shape family (empty with a single shape)
};

struct FamilyCalibration {
  FamilyParameters parameters;
  std::optional<FitStatistics> fit;  // absent for families with assumed parameters only
};

// The calibration of one GPU: every KernelFamily is present (the loader enforces it).
struct Calibration {
  std::string device;
  std::string method;               // e.g. "fit: fathom calibrate fit" or "measured run"
  std::vector<std::string> tables;  // input tables of the fit
  std::string hold_out;             // the hold-out rule used
  // Non-empty: no curve of this file was fitted on `device`; they are the named device's fitted curves
  // times stated, assumed per-family factors (provenance.scaled_from, e.g. Blackwell from the H800).
  std::string scaled_from;
  std::map<KernelFamily, FamilyCalibration> families;

  // The parameters of `family`; throws std::out_of_range if absent (cannot happen after loading).
  const FamilyParameters& parameters(KernelFamily family) const;
};

// Reads a calibration object; errors are InputError "<label>: <json.path>: <what>".
Calibration read_calibration(const SpecReader& reader);
// Reads a calibration file (label = file name).
Calibration load_calibration(const std::filesystem::path& file);
// The JSON form read_calibration accepts (round-trips).
nlohmann::json calibration_to_json(const Calibration& calibration);

}  // namespace fathom::hw
