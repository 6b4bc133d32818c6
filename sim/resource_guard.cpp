#include "sim/resource_guard.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

namespace fathom::sim {
namespace {

// MemTotal in bytes, or 0 when /proc/meminfo cannot be read.
double read_machine_memory_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string key;
    double kib = 0;
    if (fields >> key >> kib && key == "MemTotal:") return kib * 1024.0;
  }
  return 0;
}

// Read once per process: the planner asks for every configuration it reads.
double machine_memory_bytes() {
  static const double bytes = read_machine_memory_bytes();
  return bytes;
}

std::string gigabytes(double bytes) { return fmt::format("{:.1f} GB", bytes / 1e9); }

}  // namespace

double memory_budget_bytes() {
  const double machine = machine_memory_bytes();
  return machine > 0 ? std::min(kMemoryBudgetBytes, kMemoryShareOfMachine * machine) : kMemoryBudgetBytes;
}

std::optional<std::string> over_budget(const WorkEstimate& w, double budget_bytes) {
  // NaN and infinite estimates (from absurd inputs) never pass.
  if (!(w.bytes <= budget_bytes)) {
    return fmt::format("needs ~{} for ~{} {} (the memory budget is {})", gigabytes(w.bytes), count_text(w.items),
                       w.item_name, gigabytes(budget_bytes));
  }
  if (!(w.seconds <= kTimeBudgetSeconds)) {
    return fmt::format(
        "would run for ~{} for ~{} {} (the time budget is {:.0f} s)",
        w.seconds < 86400 ? fmt::format("{:.0f} s", w.seconds) : fmt::format("{:.3g} days", w.seconds / 86400),
        count_text(w.items), w.item_name, kTimeBudgetSeconds);
  }
  return std::nullopt;
}

std::optional<std::string> over_budget(const WorkEstimate& w) { return over_budget(w, memory_budget_bytes()); }

std::string count_text(double count) {
  if (!std::isfinite(count) || count >= 1e15) return fmt::format("{:.2g}", count);
  const std::string digits = fmt::format("{:.0f}", std::max(0.0, count));
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace fathom::sim
