// fathom-calib-runner: runs the GPU micro-benchmarks of calib/kernels on device 0 and writes
// scenarios/calibration/<gpu>-measured.json (format: docs/calibration-gpu.md). Needs only CUDA
// (runtime, cuBLASLt, optionally NCCL) and this folder: no third-party libraries.
// Usage: fathom-calib-runner [--out FILE | --out-dir DIR] [--tag h100] [--git-commit SHA] [--driver VERSION]
//          [--only dense_gemm,grouped_gemm,mla_decode,ep_permute,hbm_copy,collectives]
//          [--quick] [--repeats N] [--warmup N]

#include <cctype>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "calib/kernels/bench_common.cuh"

namespace fathom::calib::gpu {
namespace {

struct RunnerOptions {
  BenchOptions bench;
  std::string out, out_dir = "scenarios/calibration", tag, git_commit = "unknown", driver;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "fathom-calib-runner: %s\nusage: fathom-calib-runner [--out FILE | --out-dir DIR] [--tag NAME] "
               "[--git-commit SHA] "
               "[--driver VERSION] [--only a,b] [--quick] [--repeats N] [--warmup N]\n",
               why);
  std::exit(1);
}

RunnerOptions parse(int argc, char** argv) {
  RunnerOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value after " + a).c_str());
      return argv[++i];
    };
    if (a == "--out") {
      o.out = next();
    } else if (a == "--out-dir") {
      o.out_dir = next();
    } else if (a == "--tag") {
      o.tag = next();
    } else if (a == "--git-commit") {
      o.git_commit = next();
    } else if (a == "--driver") {
      o.driver = next();
    } else if (a == "--quick") {
      o.bench.quick = true;
    } else if (a == "--repeats") {
      o.bench.repeats = std::max(1, std::atoi(next().c_str()));
    } else if (a == "--warmup") {
      o.bench.warmup = std::max(0, std::atoi(next().c_str()));
    } else if (a == "--only") {
      std::stringstream ss(next());
      for (std::string item; std::getline(ss, item, ',');) o.bench.only.push_back(item);
    } else {
      usage(("unknown argument " + a).c_str());
    }
  }
  return o;
}

std::string version_string(int v) {  // CUDA's 1000 * major + 10 * minor
  return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10);
}

// "NVIDIA H100 80GB HBM3" -> "h100"; otherwise the lower-cased name with '-' for other characters.
std::string default_tag(const std::string& name) {
  for (const char* known : {"H100", "H200", "H800", "H20", "A100", "B200", "GB200"}) {
    if (name.find(known) != std::string::npos) {
      std::string t = known;
      for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return t;
    }
  }
  std::string t;
  for (const char c : name) t += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '-';
  return t;
}

measured::DeviceRecord describe_device(int device, const RunnerOptions& o) {
  cudaDeviceProp prop{};
  FATHOM_CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
  measured::DeviceRecord d;
  d.name = prop.name;
  d.tag = o.tag.empty() ? default_tag(d.name) : o.tag;
  d.sm_count = prop.multiProcessorCount;
  d.compute_capability = std::to_string(prop.major) + "." + std::to_string(prop.minor);
  int clock_khz = 0, mem_khz = 0, bus = 0, l2 = 0, count = 0, driver = 0, runtime = 0;
  cudaDeviceGetAttribute(&clock_khz, cudaDevAttrClockRate, device);
  cudaDeviceGetAttribute(&mem_khz, cudaDevAttrMemoryClockRate, device);
  cudaDeviceGetAttribute(&bus, cudaDevAttrGlobalMemoryBusWidth, device);
  cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, device);
  cudaGetDeviceCount(&count);
  cudaDriverGetVersion(&driver);
  cudaRuntimeGetVersion(&runtime);
  d.sm_clock_mhz = clock_khz / 1000.0, d.memory_clock_mhz = mem_khz / 1000.0;
  d.memory_bus_width_bits = bus, d.l2_bytes = l2, d.hbm_bytes = static_cast<double>(prop.totalGlobalMem);
  d.device_count = count;
  d.driver_version = o.driver.empty() ? "CUDA driver API " + version_string(driver)
                                      : o.driver + " (CUDA driver API " + version_string(driver) + ")";
  d.cuda_runtime_version = version_string(runtime);
  d.cublaslt_version = cublaslt_version_string();
  d.nccl_version = nccl_version_string();
  return d;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void save(const measured::MeasuredFile& f, const std::string& path) {
  std::ofstream out(path);
  if (!out) {
    std::fprintf(stderr, "fathom-calib-runner: cannot write %s\n", path.c_str());
    std::exit(1);
  }
  measured::write_measured_file(out, f);
}

}  // namespace
}  // namespace fathom::calib::gpu

int main(int argc, char** argv) {
  using namespace fathom::calib::gpu;
  RunnerOptions o = parse(argc, argv);
  const int device = 0;
  FATHOM_CUDA_CHECK(cudaSetDevice(device));
  fathom::calib::measured::MeasuredFile file;
  file.device = describe_device(device, o);
  file.date = utc_now();
  file.git_commit = o.git_commit;
  if (o.out.empty()) o.out = o.out_dir + "/" + file.device.tag + "-measured.json";
  cudaStream_t stream;
  FATHOM_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  BenchTimer timer(device, stream);
  file.timing = "CUDA events on one stream; " + std::to_string(o.bench.warmup) + " warm-up runs, then the median of " +
                std::to_string(o.bench.repeats) + " runs, each preceded by a " +
                std::to_string(timer.flush_bytes() >> 20) + " MiB memset (>= 2x L2) to flush L2" +
                (o.bench.quick ? "; --quick grid" : "");
  std::fprintf(stderr, "fathom-calib-runner: %s (%d SMs, CC %s), writing %s\n", file.device.name.c_str(),
               file.device.sm_count, file.device.compute_capability.c_str(), o.out.c_str());
  BenchContext ctx{o.bench, timer, device, file.measurements};
  const struct {
    const char* name;
    void (*run)(BenchContext&);
  } sections[] = {{"mla_decode", run_mla_decode}, {"dense_gemm", run_dense_gemm}, {"grouped_gemm", run_grouped_gemm},
                  {"ep_permute", run_ep_permute}, {"hbm_copy", run_hbm_copy},     {"collectives", run_collectives}};
  for (const auto& s : sections) {
    if (!o.bench.wants(s.name)) continue;
    const std::time_t start = std::time(nullptr);
    s.run(ctx);
    FATHOM_CUDA_CHECK(cudaDeviceSynchronize());
    save(file, o.out);  // after every section, so a run cut short keeps what it measured
    std::fprintf(stderr, "fathom-calib-runner: %s done in %lds, %zu records\n", s.name,
                 static_cast<long>(std::time(nullptr) - start), file.measurements.size());
  }
  save(file, o.out);
  std::printf("%s\n", o.out.c_str());  // the one line on stdout: the file written
  return 0;
}
