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
//
// Contract (matching cannot blow up, docs/calibration-traces.md "Matching"): a pattern runs in libstdc++'s
// polynomial (Thompson, breadth-first) mode as one pass over the name, `[\s\S]*?(?:<match>)`, so its time is
// linear in the name's length times the pattern's size and its recursion is bounded by the pattern, not the
// name (the default backtracking mode took exponential time on `(a+)+b` and overflowed the stack on a 100k-char
// name with `.*`). Only the first kMatchedNameChars characters of a name are matched. Patterns this mode cannot
// run in linear time are refused when read: back-references (`\1`) and lookaheads (`(?=`, `(?!`).

#include <cstddef>
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

// Characters of a kernel name that patterns see: the longest real names (CUTLASS / CuTe template instances) are
// 1-3k characters and name their library and kernel in the first hundred, so every real name is matched whole;
// a longer (hostile) name is matched on its first 4,096 (`$` and a final `\b` do not match at the cut).
inline constexpr size_t kMatchedNameChars = 4096;

// The trace classes that are not kernel families.
inline constexpr const char* kCommunicationClasses[] = {"dispatch", "combine", "collective"};
inline constexpr const char* kCopyClass = "memcpy";

// Throws InputError "<where>: unknown trace class ..." listing the valid ones.
TraceClass parse_trace_class(const std::string& name, const std::string& where);

struct TracePattern {
  std::string match;  // as written
  std::regex regex;   // `[\s\S]*?(?:match)`, polynomial mode (the contract above)
  TraceClass cls;
  std::string kind;    // a label ("cuBLAS", "norm", "quantise")
  std::string source;  // "<file>: patterns.<i>"
};

class TracePatterns {
 public:
  // Appends the patterns of `file` (after those already read). Errors name the file and JSON path.
  void read(const std::filesystem::path& file);
  // Puts the patterns of `file` before those already read (a user's file overrides the shipped one).
  void read_first(const std::filesystem::path& file);

  // The first pattern whose regex is found in `name` (its first kMatchedNameChars characters); nullptr when none.
  const TracePattern* match(const std::string& name) const;
  const std::vector<TracePattern>& patterns() const { return patterns_; }

 private:
  std::vector<TracePattern> patterns_;
};

}  // namespace fathom::calib
