#pragma once
// Writes small PyTorch profiler (Kineto) Chrome traces for tests: GPU kernels ("ph": "X", "cat":
// "kernel", "ts"/"dur" in microseconds, args device/stream/External id), the CPU operators that launched
// them with record_shapes' "Input Dims" and "Input type", ProfilerStep# annotations and deviceProperties,
// as torch.profiler's export_chrome_trace lays them out.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fathom::test {

class KinetoTraceWriter {
 public:
  explicit KinetoTraceWriter(std::string device = "NVIDIA H800") : device_(std::move(device)) {}

  // A GPU kernel at `ts_us` for `dur_us` microseconds; `external_id` > 0 links it to an operator.
  KinetoTraceWriter& kernel(const std::string& name, double ts_us, double dur_us, int64_t stream = 7,
                            int64_t external_id = 0, const std::string& cat = "kernel") {
    nlohmann::json args = {{"device", 0}, {"stream", stream}, {"correlation", ++correlation_}};
    if (external_id > 0) args["External id"] = external_id;
    events_.push_back({{"ph", "X"},
                       {"cat", cat},
                       {"name", name},
                       {"pid", 0},
                       {"tid", stream},
                       {"ts", base_us_ + ts_us},
                       {"dur", dur_us},
                       {"args", args}});
    return *this;
  }

  // A CPU operator with recorded shapes (record_shapes=True).
  KinetoTraceWriter& op(const std::string& name, int64_t external_id, const std::vector<std::vector<int64_t>>& dims,
                        const std::vector<std::string>& types, double ts_us = 0) {
    events_.push_back({{"ph", "X"},
                       {"cat", "cpu_op"},
                       {"name", name},
                       {"pid", 4242},
                       {"tid", 4242},
                       {"ts", base_us_ + ts_us},
                       {"dur", 5.0},
                       {"args", {{"External id", external_id}, {"Input Dims", dims}, {"Input type", types}}}});
    return *this;
  }

  // A GEMM kernel launched by aten::mm at m x k times k x n (bf16 unless `type` says otherwise).
  KinetoTraceWriter& mm(const std::string& kernel_name, int64_t m, int64_t n, int64_t k, double ts_us, double dur_us,
                        const std::string& type = "c10::BFloat16") {
    const int64_t id = ++external_id_;
    op("aten::mm", id, {{m, k}, {k, n}}, {type, type}, ts_us);
    return kernel(kernel_name, ts_us, dur_us, 7, id);
  }

  KinetoTraceWriter& step(int n, double ts_us, double dur_us) {
    events_.push_back({{"ph", "X"},
                       {"cat", "user_annotation"},
                       {"name", "ProfilerStep#" + std::to_string(n)},
                       {"pid", 4242},
                       {"tid", 4242},
                       {"ts", base_us_ + ts_us},
                       {"dur", dur_us}});
    return *this;
  }

  nlohmann::json json() const {
    nlohmann::json doc = {{"schemaVersion", 1}, {"traceEvents", events_}, {"displayTimeUnit", "ms"}};
    if (!device_.empty()) {
      doc["deviceProperties"] = {{{"id", 0},
                                  {"name", device_},
                                  {"computeMajor", 9},
                                  {"computeMinor", 0},
                                  {"numSms", 132},
                                  {"totalGlobalMem", 85520809984}}};
    }
    return doc;
  }

  void write(const std::filesystem::path& file) const { std::ofstream(file) << json().dump(1) << "\n"; }

 private:
  std::string device_;
  std::vector<nlohmann::json> events_;
  double base_us_ = 1'700'000'000.0;  // Kineto's timestamps do not start at 0
  int64_t correlation_ = 0;
  int64_t external_id_ = 1000;
};

}  // namespace fathom::test
