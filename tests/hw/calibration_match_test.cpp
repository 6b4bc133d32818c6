// hw/calibration_match.h: a run that prices one GPU with another GPU's kernel calibration says so, and
// lists the families whose curves rest on measured or published timings.

#include <catch2/catch.hpp>

#include "hw/calibration_match.h"
#include "support/shipped_hardware.h"

using namespace fathom;

namespace {

hw::CalibratedValue v(double x, const char* source) { return {x, Provenance::parse(source)}; }

hw::FamilyCalibration family(const char* source_of_e_max) {
  hw::FamilyCalibration f;
  f.parameters.compute_efficiency_max = v(0.7, source_of_e_max);
  f.parameters.compute_half_shape = v(50, "assumed:flat");
  f.parameters.memory_efficiency = v(0.8, "assumed:80%");
  f.parameters.overhead_s = v(5e-6, "assumed:5 us");
  f.parameters.roofline_sharpness = v(4, "assumed:p = 4");
  return f;
}

}  // namespace

TEST_CASE("gpu_model_key: the first word with a digit, vendor and case ignored", "[unit]") {
  CHECK(hw::gpu_model_key("NVIDIA H800 SXM5") == "H800");
  CHECK(hw::gpu_model_key("NVIDIA H100 80GB HBM3") == "H100");  // the device name a measured run records
  CHECK(hw::gpu_model_key("nvidia h100 sxm5") == "H100");
  CHECK(hw::gpu_model_key("NVIDIA GeForce RTX 4090") == "4090");
  CHECK(hw::gpu_model_key("Some  accelerator") == "SOME ACCELERATOR");
}

TEST_CASE("calibration_mismatch: families with measured or published parameters only", "[unit]") {
  hw::Calibration c;
  c.device = "NVIDIA H800 SXM5";
  c.families[hw::KernelFamily::dense_gemm] = family("measured:gemm-data.csv");
  c.families[hw::KernelFamily::attention_prefill] = family("published:K20");
  c.families[hw::KernelFamily::elementwise] = family("assumed:no rows");
  hw::GpuSpec gpu;
  gpu.name = "NVIDIA H100 SXM5";
  const auto m = hw::calibration_mismatch(gpu, c);
  REQUIRE(m);
  CHECK(m->calibration_device == "NVIDIA H800 SXM5");
  CHECK(m->gpu == "NVIDIA H100 SXM5");
  CHECK(m->families == std::vector<std::string>{"dense_gemm", "attention_prefill"});
  const nlohmann::json j = hw::calibration_mismatch_json(m);
  CHECK(j.at("families").size() == 2);
  CHECK(j.at("calibration_device") == "NVIDIA H800 SXM5");
  CHECK(hw::calibration_mismatch_text(m).find("dense_gemm, attention_prefill") != std::string::npos);
  // The same GPU (another board name of the same chip): nothing to say.
  gpu.name = "NVIDIA H800 PCIe";
  CHECK_FALSE(hw::calibration_mismatch(gpu, c));
  CHECK(hw::calibration_mismatch_json(std::nullopt).is_null());
  CHECK(hw::calibration_mismatch_text(std::nullopt).empty());
}

TEST_CASE("calibration_mismatch on the shipped files: H800 calibration for the H100 and H200, not the H800", "[unit]") {
  const hw::Calibration c = hw::load_calibration(std::string(FATHOM_SOURCE_DIR) + "/scenarios/calibration/h800.json");
  CHECK_FALSE(hw::calibration_mismatch(test::shipped_gpu("h800"), c));
  for (const char* other : {"h100", "h200"}) {
    INFO(other);
    const auto m = hw::calibration_mismatch(test::shipped_gpu(other), c);
    REQUIRE(m);
    CHECK_FALSE(m->families.empty());
    // Exactly the families with a measured or published parameter.
    for (const auto& [fam, fc] : c.families) {
      const hw::FamilyParameters& p = fc.parameters;
      bool evidence = false;
      for (const hw::CalibratedValue* x : {&p.compute_efficiency_max, &p.compute_half_shape, &p.memory_efficiency,
                                           &p.overhead_s, &p.roofline_sharpness}) {
        evidence = evidence || x->source.kind == SourceKind::measured || x->source.kind == SourceKind::published;
      }
      const std::string name(hw::to_string(fam));
      INFO(name);
      CHECK(evidence == (std::find(m->families.begin(), m->families.end(), name) != m->families.end()));
    }
  }
}

TEST_CASE("a scaled calibration (Blackwell from H800) is a mismatch for every GPU and names every family", "[unit]") {
  const hw::Calibration c =
      hw::load_calibration(std::string(FATHOM_SOURCE_DIR) + "/scenarios/calibration/blackwell-from-h800.json");
  const hw::Calibration h800 =
      hw::load_calibration(std::string(FATHOM_SOURCE_DIR) + "/scenarios/calibration/h800.json");
  CHECK(c.scaled_from == "NVIDIA H800 SXM5");
  CHECK(hw::calibrated_families(c).empty());  // every parameter is assumed
  for (const char* gpu : {"gb200", "b200", "gb300", "h800"}) {
    INFO(gpu);
    const auto m = hw::calibration_mismatch(test::shipped_gpu(gpu), c);
    REQUIRE(m);
    CHECK(m->scaled);
    CHECK(m->calibration_device == "NVIDIA H800 SXM5");
    CHECK(m->families.size() == c.families.size());
    const nlohmann::json j = hw::calibration_mismatch_json(m);
    CHECK(j.at("scaled_by_assumed_factors") == true);
    CHECK(j.at("families").size() == 8);
    CHECK(hw::calibration_mismatch_text(m).find("dense_gemm") != std::string::npos);
    CHECK(hw::calibration_mismatch_text(m).find("uncalibrated") != std::string::npos);
  }
  // The stated factors: dense GEMM compute efficiency x 0.9, MLA decode unchanged.
  CHECK(c.parameters(hw::KernelFamily::dense_gemm).compute_efficiency_max.value ==
        Approx(0.9 * h800.parameters(hw::KernelFamily::dense_gemm).compute_efficiency_max.value).epsilon(1e-5));
  CHECK(c.parameters(hw::KernelFamily::mla_decode).memory_efficiency.value ==
        h800.parameters(hw::KernelFamily::mla_decode).memory_efficiency.value);
  // Round trip keeps scaled_from.
  CHECK(hw::calibration_to_json(c).at("provenance").at("scaled_from") == "NVIDIA H800 SXM5");
}
