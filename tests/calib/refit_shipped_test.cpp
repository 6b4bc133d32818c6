// Re-fitting the shipped tables reproduces scenarios/calibration/h800.json, so the file cannot
// drift from the data; the fit also respects the published FlashMLA bounds (K01/K02 notes).

#include <catch2/catch.hpp>

#include <string>

#include "calib/fit/calibrate.h"
#include "calib/fit/calibration_tables.h"
#include "sim/scenario_document.h"
#include "support/shipped_hardware.h"

using namespace fathom;
using namespace fathom::calib;

namespace {

std::string source_path(const std::string& rel) { return std::string(FATHOM_SOURCE_DIR) + "/" + rel; }

void check_same(const hw::CalibratedValue& shipped, const hw::CalibratedValue& refit) {
  // The file stores six significant digits.
  CHECK(refit.value == Approx(shipped.value).epsilon(2e-5).margin(1e-12));
  CHECK(refit.source.to_string() == shipped.source.to_string());
}

}  // namespace

TEST_CASE("re-fitting the shipped tables reproduces h800.json", "[unit]") {
  const hw::GpuSpec gpu = test::shipped_gpu("h800");
  const CalibrationInputs in =
      read_calibration_tables({source_path("scenarios/calibration/h800-infersim"),
                               source_path("scenarios/calibration/h800-published-kernels.csv")},
                              gpu);
  const CalibrationFit fit = fit_calibration(in, gpu, gpu.name);
  const hw::Calibration shipped = hw::load_calibration(source_path("scenarios/calibration/h800.json"));
  REQUIRE(fit.calibration.families.size() == shipped.families.size());
  for (const auto& [family, fc] : shipped.families) {
    INFO(hw::to_string(family));
    const hw::FamilyCalibration& r = fit.calibration.families.at(family);
    check_same(fc.parameters.compute_efficiency_max, r.parameters.compute_efficiency_max);
    check_same(fc.parameters.compute_half_shape, r.parameters.compute_half_shape);
    check_same(fc.parameters.memory_efficiency, r.parameters.memory_efficiency);
    check_same(fc.parameters.overhead_s, r.parameters.overhead_s);
    check_same(fc.parameters.roofline_sharpness, r.parameters.roofline_sharpness);
    REQUIRE(fc.fit.has_value() == r.fit.has_value());
    if (fc.fit) {
      CHECK(fc.fit->rows_fitted == r.fit->rows_fitted);
      CHECK(fc.fit->rows_held_out == r.fit->rows_held_out);
      CHECK(fc.fit->rows_excluded == r.fit->rows_excluded);
      CHECK(fc.fit->held_out_worst_rel_error == Approx(r.fit->held_out_worst_rel_error).epsilon(1e-3));
      for (const std::string& note : r.fit->notes) CHECK(note.find("EXCEEDS") == std::string::npos);
    }
  }
  CHECK(fit.calibration.tables == shipped.tables);
}
