#pragma once
// Classifying a trace's GPU kernels by name into fathom's kernel families and communication phases,
// with the patterns of a data file (scenarios/calibration/trace-patterns.json; users add their own with
// `--patterns`, which are tried first).
//
// File shape: {"format": "fathom-trace-patterns/1",
//              "patterns": [{"match": "<ECMAScript regex, searched in the name>", "class": "<class>",
//                            "kind": "<a label, e.g. cuBLAS>"}, ...]}
// A class is a kernel family name (hw/kernel_work.h: dense_gemm, grouped_gemm_contiguous, ...) or one of
// the communication classes "dispatch", "combine" (DeepEP) and "collective" (NCCL). The first pattern
// that matches wins. gpu_memcpy and gpu_memset events are the class "memcpy" without a pattern.

#include <filesystem>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "hw/kernel_work.h"

namespace fathom::calib {

// What a trace class is priced as.
struct TraceClass {
  std::string name;                        // "dense_gemm", "dispatch", "memcpy", ...
  std::optional<hw::KernelFamily> family;  // a kernel family of the cost model, else none
  bool communication = false;              // dispatch, combine, collective
};

// The trace classes that are not kernel families.
inline constexpr const char* kCommunicationClasses[] = {"dispatch", "combine", "collective"};
inline constexpr const char* kCopyClass = "memcpy";

// Throws InputError "<where>: unknown trace class ..." listing the valid ones.
TraceClass parse_trace_class(const std::string& name, const std::string& where);

struct TracePattern {
  std::string match;  // as written
  std::regex regex;
  TraceClass cls;
  std::string kind;    // a label ("cuBLAS", "norm", "quantise")
  std::string source;  // "<file>: patterns[<i>]"
};

class TracePatterns {
 public:
  // Appends the patterns of `file` (after those already read). Errors name the file and JSON path.
  void read(const std::filesystem::path& file);
  // Puts the patterns of `file` before those already read (a user's file overrides the shipped one).
  void read_first(const std::filesystem::path& file);

  // The first pattern whose regex is found in `name`; nullptr when none.
  const TracePattern* match(const std::string& name) const;
  const std::vector<TracePattern>& patterns() const { return patterns_; }

 private:
  std::vector<TracePattern> patterns_;
};

}  // namespace fathom::calib
