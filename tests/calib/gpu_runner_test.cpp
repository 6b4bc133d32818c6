// [gpu] The calibration runner on a real GPU (issue #8): a quick MLA-decode and HBM-copy run, then the
// fit of its file. Skipped (with a warning) where the runner was not built (no CUDA toolkit) or no GPU
// is visible (no working `nvidia-smi -L`), as on CI and the development machines. On a workstation with a
// GPU and the build's dependencies: `ctest --test-dir build -R gpu`.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "support/cli_runner.h"

namespace {

bool gpu_visible() { return std::system("nvidia-smi -L > /dev/null 2>&1") == 0; }

}  // namespace

TEST_CASE("gpu: the runner measures MLA decode and HBM copy, and its file fits", "[gpu]") {
#ifndef FATHOM_CALIB_RUNNER
  WARN("skipped: fathom-calib-runner was not built (no CUDA toolkit)");
  return;
#else
  if (!gpu_visible()) {
    WARN("skipped: no GPU visible (nvidia-smi -L failed)");
    return;
  }
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "fathom-gpu-test";
  std::filesystem::create_directories(dir);
  const std::filesystem::path file = dir / "gpu-measured.json";
  const std::string cmd = std::string(FATHOM_CALIB_RUNNER) +
                          " --quick --repeats 3 --warmup 1 --only mla_decode,hbm_copy" + " --git-commit test --out " +
                          file.string() + " > " + (dir / "runner.log").string() + " 2>&1";
  INFO(cmd);
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::ifstream in(file);
  const nlohmann::json j = nlohmann::json::parse(in);
  CHECK(j.at("provenance") == "measured");
  CHECK(j.at("device").at("sm_count").get<int>() > 0);
  int mla = 0, copies = 0;
  for (const auto& m : j.at("measurements")) {
    INFO(m.dump());
    if (m.at("family") == "mla_decode") {
      CHECK(m.at("status") == "measured");  // "failed check" would mean the kernel disagrees with the CPU
      CHECK(m.at("median_s").get<double>() > 0);
      ++mla;
    } else if (m.at("status") == "measured") {
      // Any HBM copy moves its bytes at more than 100 GB/s and less than 10 TB/s on a data-centre GPU.
      const double rate =
          (m.at("bytes_read").get<double>() + m.at("bytes_written").get<double>()) / m.at("median_s").get<double>();
      if (m.at("bytes_read").get<double>() >= 1 << 30) CHECK((rate > 1e11 && rate < 1e13));
      ++copies;
    }
  }
  CHECK(mla > 0);
  CHECK(copies > 0);
  const auto fit = fathom::test::run_fathom("calibrate fit --tables " + file.string() +
                                            " --gpu scenarios/hw/gpus/h100.json --out " + (dir / "fit.json").string());
  INFO(fit.err);
  CHECK(fit.exit_code == 0);
#endif
}
