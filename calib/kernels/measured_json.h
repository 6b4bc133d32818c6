#pragma once
// The measured-kernel file the GPU runner writes (scenarios/calibration/<gpu>-measured.json):
// records of one measurement, the device, and a tiny JSON writer. Header-only plain C++ (no
// nlohmann/fmt: the GPU machine has only CUDA, CMake and Python), so the runner and the CPU tests
// compile the same code. Format: docs/calibration-gpu.md.

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

namespace fathom::calib::measured {

inline constexpr const char* kFormat = "fathom-measured-kernels/1";

// One timed kernel (or one that could not be timed, with `status` saying why). Shape fields follow
// hw::KernelWork: m/n/k/groups for GEMMs, batch/heads/seq_q/seq_kv for attention; 0 = not applicable.
struct Measurement {
  std::string family;  // hw::KernelFamily name (dense_gemm, ...) or collective / memory_copy
  std::string kernel;  // what ran: cublaslt_fp8_gemm, fathom_mla_decode, nccl_all_to_all, ...
  std::string dtype;   // fp8 | bf16 | fp16 | fp32
  std::string layout;  // grouped GEMM: contiguous | masked; otherwise empty
  int64_t m = 0, n = 0, k = 0, groups = 0;
  int64_t batch = 0, heads = 0, seq_q = 0, seq_kv = 0;
  double flops = 0, bytes_read = 0, bytes_written = 0;  // the runner's accounting (docs/calibration-gpu.md)
  double median_s = 0, min_s = 0, max_s = 0;
  int repeats = 0;
  std::string status = "measured";  // measured | not measured | failed check | unsupported
  std::string note;                 // e.g. the check's errors, the cuBLASLt algorithm, why not measured
};

// The device and software the measurements were taken on.
struct DeviceRecord {
  std::string name;
  std::string tag;  // file-name tag: h100, h200, ...
  int sm_count = 0;
  std::string compute_capability;
  double sm_clock_mhz = 0, memory_clock_mhz = 0;
  int memory_bus_width_bits = 0;
  double l2_bytes = 0, hbm_bytes = 0;
  int device_count = 0;
  std::string driver_version, cuda_runtime_version, cublaslt_version, nccl_version;
};

struct MeasuredFile {
  DeviceRecord device;
  std::string date;        // UTC, ISO 8601
  std::string git_commit;  // passed in by calib/run-on-gpu.sh
  std::string timing;      // how the times were taken (warm-up, repeats, L2 flush)
  std::vector<Measurement> measurements;
};

// FLOP/byte accounting shared by the runner and the tests (same rules as calib/fit/kernel_shapes.h):
// GEMM tokens x k times (n x k)^T: reads (tokens*k + groups*n*k) * elem bytes, writes 2*tokens*n (BF16 out).
inline void set_gemm_work(Measurement& r, double elem_bytes) {
  const double groups = r.groups > 0 ? static_cast<double>(r.groups) : 1.0;
  const double tokens = groups * static_cast<double>(r.m);
  r.flops = 2.0 * tokens * static_cast<double>(r.n) * static_cast<double>(r.k);
  r.bytes_read = (tokens * static_cast<double>(r.k) + groups * static_cast<double>(r.n * r.k)) * elem_bytes;
  r.bytes_written = 2.0 * tokens * static_cast<double>(r.n);
}

// MLA decode, one query token: QK over 576 dims, PV over 512; BF16 latent cache, q (576) and o (512) per head.
inline void set_mla_decode_work(Measurement& r) {
  const double b = static_cast<double>(r.batch), h = static_cast<double>(r.heads), kv = static_cast<double>(r.seq_kv);
  r.flops = 2.0 * b * h * (576.0 + 512.0) * kv;
  r.bytes_read = b * kv * 576.0 * 2.0 + b * h * 576.0 * 2.0;
  r.bytes_written = b * h * 512.0 * 2.0;
}

// Minimal streaming JSON writer: the caller nests begin/end correctly; commas are automatic.
class JsonWriter {
 public:
  explicit JsonWriter(std::ostream& os) : os_(os) {}
  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  void key(const std::string& k) {
    comma();
    string(k);
    os_ << ": ";
    after_key_ = true;
  }
  void value(const std::string& s) {
    comma();
    string(s);
  }
  void value(const char* s) { value(std::string(s)); }
  void value(double v) {
    comma();
    if (!std::isfinite(v)) {
      os_ << "null";
      return;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    os_ << buf;
  }
  void value(int64_t v) {
    comma();
    os_ << v;
  }
  void value(int v) { value(static_cast<int64_t>(v)); }
  template <typename T>
  void field(const std::string& k, const T& v) {
    key(k);
    value(v);
  }

 private:
  void comma() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_) os_ << ",";
    if (depth_ > 0) os_ << "\n" << std::string(2 * depth_, ' ');
    first_ = false;
  }
  void open(char c) {
    comma();
    os_ << c;
    ++depth_;
    first_ = true;
  }
  void close(char c) {
    --depth_;
    if (!first_) os_ << "\n" << std::string(2 * depth_, ' ');
    os_ << c;
    first_ = false;
  }
  void string(const std::string& s) {
    os_ << '"';
    for (const char ch : s) {
      const auto u = static_cast<unsigned char>(ch);
      if (ch == '"' || ch == '\\') {
        os_ << '\\' << ch;
      } else if (ch == '\n') {
        os_ << "\\n";
      } else if (u < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", u);
        os_ << buf;
      } else {
        os_ << ch;
      }
    }
    os_ << '"';
  }

  std::ostream& os_;
  int depth_ = 0;
  bool first_ = true;
  bool after_key_ = false;
};

inline void write_measurement(JsonWriter& w, const Measurement& r) {
  w.begin_object();
  w.field("family", r.family);
  w.field("kernel", r.kernel);
  w.field("dtype", r.dtype);
  if (!r.layout.empty()) w.field("layout", r.layout);
  const char* names[] = {"m", "n", "k", "groups", "batch", "heads", "seq_q", "seq_kv"};
  const int64_t values[] = {r.m, r.n, r.k, r.groups, r.batch, r.heads, r.seq_q, r.seq_kv};
  for (int i = 0; i < 8; ++i) w.field(names[i], values[i]);
  w.field("flops", r.flops);
  w.field("bytes_read", r.bytes_read);
  w.field("bytes_written", r.bytes_written);
  w.field("median_s", r.median_s);
  w.field("min_s", r.min_s);
  w.field("max_s", r.max_s);
  w.field("repeats", r.repeats);
  w.field("status", r.status);
  if (!r.note.empty()) w.field("note", r.note);
  w.end_object();
}

inline void write_measured_file(std::ostream& os, const MeasuredFile& f) {
  JsonWriter w(os);
  w.begin_object();
  w.field("format", kFormat);
  w.field("provenance", "measured");
  w.key("device");
  w.begin_object();
  const DeviceRecord& d = f.device;
  w.field("name", d.name);
  w.field("tag", d.tag);
  w.field("sm_count", d.sm_count);
  w.field("compute_capability", d.compute_capability);
  w.field("sm_clock_mhz", d.sm_clock_mhz);
  w.field("memory_clock_mhz", d.memory_clock_mhz);
  w.field("memory_bus_width_bits", d.memory_bus_width_bits);
  w.field("l2_bytes", d.l2_bytes);
  w.field("hbm_bytes", d.hbm_bytes);
  w.field("device_count", d.device_count);
  w.end_object();
  w.field("driver_version", d.driver_version);
  w.field("cuda_runtime_version", d.cuda_runtime_version);
  w.field("cublaslt_version", d.cublaslt_version);
  w.field("nccl_version", d.nccl_version);
  w.field("date", f.date);
  w.field("git_commit", f.git_commit);
  w.field("timing", f.timing);
  w.key("measurements");
  w.begin_array();
  for (const Measurement& r : f.measurements) write_measurement(w, r);
  w.end_array();
  w.end_object();
  os << "\n";
}

}  // namespace fathom::calib::measured
