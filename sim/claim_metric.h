#pragma once
// The `metric` of a claim (docs/claims.md): a JSON pointer into a Report's data, optionally combined with
// other pointers or constants by `*`, `/`, `+`, `-` (usual precedence, left to right), the operators
// written between spaces: "/tokens_per_s_per_gpu * 86400", "/per_gpu/weights_bytes + /per_gpu/kv_cache_bytes".
//
// Pointers are RFC 6901 JSON pointers (`~0` is `~`, `~1` is `/`) with one extension: where the value reached
// is an array, a segment `key=value` selects its first object whose `key` is the string (or the number
// written) `value`, so a row is named by what it is rather than by its position:
// "/breakdown/name=dispatch/time_s". A boolean reads as 1 (true) or 0 (false).

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace fathom {

struct MetricTerm {
  bool is_pointer = false;
  std::string pointer;  // as written
  double constant = 0;
};

struct MetricExpr {
  std::string text;               // as written
  std::vector<MetricTerm> terms;  // at least one
  std::vector<char> ops;          // ops[i] joins terms[i] and terms[i + 1]: '*', '/', '+', '-'
  bool combined() const { return terms.size() > 1; }
};

// Throws std::invalid_argument with a one-line reason (no location: the caller adds the JSON path).
MetricExpr parse_metric(std::string_view text);

// The value, or why there is none (a pointer that reaches nothing, a value that is not a number, a division
// by zero). `why` names the pointer.
struct MetricValue {
  bool ok = false;
  double value = 0;
  std::string why;
};
MetricValue evaluate_metric(const MetricExpr& expr, const nlohmann::json& data);

// The value at an extended pointer, or nullptr with `why` set.
const nlohmann::json* find_pointer(const nlohmann::json& data, std::string_view pointer, std::string& why);

}  // namespace fathom
