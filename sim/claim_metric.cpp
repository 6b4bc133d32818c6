#include "sim/claim_metric.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "sim/strict_json.h"

namespace fathom {
namespace {

// The unescaped segments of a pointer; throws on a bad escape or a missing leading '/'.
std::vector<std::string> segments(std::string_view pointer) {
  if (pointer.empty() || pointer[0] != '/') {
    throw std::invalid_argument(fmt::format("\"{}\" is not a JSON pointer (it must start with /)", printable(pointer)));
  }
  std::vector<std::string> out;
  std::string seg;
  for (size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      out.push_back(seg);
      seg.clear();
    } else if (pointer[i] == '~') {
      if (i + 1 >= pointer.size() || (pointer[i + 1] != '0' && pointer[i + 1] != '1')) {
        throw std::invalid_argument(
            fmt::format("\"{}\": ~ must be followed by 0 or 1 in a JSON pointer", printable(pointer)));
      }
      seg.push_back(pointer[i + 1] == '0' ? '~' : '/');
      ++i;
    } else {
      seg.push_back(pointer[i]);
    }
  }
  return out;
}

bool parse_number(const std::string& token, double& out) {
  if (token.empty()) return false;
  char* end = nullptr;
  out = std::strtod(token.c_str(), &end);
  return end == token.c_str() + token.size() && std::isfinite(out);
}

bool is_index(const std::string& s) {
  if (s.empty() || s.size() > 9) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return s == "0" || s[0] != '0';
}

}  // namespace

MetricExpr parse_metric(std::string_view text) {
  MetricExpr e;
  e.text = std::string(text);
  std::istringstream in{std::string(text)};
  std::string token;
  bool want_term = true;
  while (in >> token) {
    if (want_term) {
      MetricTerm t;
      if (token[0] == '/') {
        (void)segments(token);  // validates
        t.is_pointer = true;
        t.pointer = token;
      } else if (!parse_number(token, t.constant)) {
        throw std::invalid_argument(
            fmt::format("\"{}\" is neither a JSON pointer (starting with /) nor a number", printable(token)));
      }
      e.terms.push_back(t);
    } else {
      if (token.size() != 1 || std::string_view("*/+-").find(token[0]) == std::string_view::npos) {
        throw std::invalid_argument(fmt::format(
            "expected one of * / + - between terms, got \"{}\" (write operators between spaces)", printable(token)));
      }
      e.ops.push_back(token[0]);
    }
    want_term = !want_term;
  }
  if (e.terms.empty()) throw std::invalid_argument("empty: write a JSON pointer into the report, e.g. /step_s");
  if (want_term) throw std::invalid_argument(fmt::format("ends with the operator {}", e.ops.back()));
  return e;
}

const nlohmann::json* find_pointer(const nlohmann::json& data, std::string_view pointer, std::string& why) {
  const nlohmann::json* node = &data;
  std::string reached;
  for (const std::string& seg : segments(pointer)) {
    const nlohmann::json* next = nullptr;
    if (node->is_object()) {
      if (const auto it = node->find(seg); it != node->end()) next = &*it;
    } else if (node->is_array()) {
      const size_t eq = seg.find('=');
      if (is_index(seg)) {
        const size_t i = std::stoul(seg);
        if (i < node->size()) next = &(*node)[i];
      } else if (eq != std::string::npos) {
        const std::string key = seg.substr(0, eq), value = seg.substr(eq + 1);
        for (const nlohmann::json& row : *node) {
          if (!row.is_object() || !row.contains(key)) continue;
          const nlohmann::json& v = row[key];
          double x = 0;
          if ((v.is_string() && v.get<std::string>() == value) ||
              (v.is_number() && parse_number(value, x) && v.get<double>() == x)) {
            next = &row;
            break;
          }
        }
      }
    }
    if (next == nullptr) {
      why = fmt::format("the report has nothing at {} (no \"{}\" under {})", printable(pointer, 80), printable(seg, 40),
                        reached.empty() ? "the top" : reached);
      return nullptr;
    }
    reached += "/" + seg;
    node = next;
  }
  return node;
}

MetricValue evaluate_metric(const MetricExpr& e, const nlohmann::json& data) {
  std::vector<double> values;
  for (const MetricTerm& t : e.terms) {
    if (!t.is_pointer) {
      values.push_back(t.constant);
      continue;
    }
    std::string why;
    const nlohmann::json* v = find_pointer(data, t.pointer, why);
    if (v == nullptr) return {false, 0, why};
    if (v->is_boolean()) {
      values.push_back(v->get<bool>() ? 1.0 : 0.0);
    } else if (v->is_number()) {
      values.push_back(v->get<double>());
    } else {
      return {false, 0, fmt::format("{} is {}, not a number", printable(t.pointer, 80), brief(*v))};
    }
  }
  // * and / first, left to right; then + and -.
  std::vector<double> sums = {values[0]};
  std::vector<char> adds;
  for (size_t i = 0; i < e.ops.size(); ++i) {
    const char op = e.ops[i];
    const double x = values[i + 1];
    if (op == '*') {
      sums.back() *= x;
    } else if (op == '/') {
      if (x == 0) return {false, 0, fmt::format("division by zero in {}", printable(e.text, 80))};
      sums.back() /= x;
    } else {
      adds.push_back(op);
      sums.push_back(x);
    }
  }
  double out = sums[0];
  for (size_t i = 0; i < adds.size(); ++i) out += adds[i] == '+' ? sums[i + 1] : -sums[i + 1];
  // "/step_s / 1e-308 / 1e-308" overflowed to inf, and a claim of 1e308 with tolerance 1e308 was "supported".
  if (!std::isfinite(out)) return {false, 0, fmt::format("{} is {} (it overflows)", printable(e.text, 80), out)};
  return {true, out, ""};
}

}  // namespace fathom
