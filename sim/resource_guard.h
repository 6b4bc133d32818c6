#pragma once
// Resource guards (docs/architecture.md, "Robustness"): before a workload builder builds a task graph, a
// flow set or a request stream, it estimates what the simulation will cost from its task, flow or request
// counts and refuses one that would not fit, with one line saying which count and why. A scenario that
// would need more memory or time than the machine has is an InputError, never an out-of-memory kill or an
// hour-long hang.
//
// Contract:
//  - Budgets are constants. Memory: kMemoryBudgetBytes, and at most kMemoryShareOfMachine of the machine's
//    MemTotal (/proc/meminfo; the cap alone where it cannot be read). MemTotal, not MemAvailable: whether a
//    scenario runs depends on the scenario and the machine's size only, never on what else is running.
//    Time: kTimeBudgetSeconds of estimated wall time on one core.
//  - Estimates are built from measured bytes and seconds per item (per engine task, flow, simulated request),
//    rounded up; each builder documents its own (models/training/training_budget.h, models/serving/
//    serving_budget.h, models/storage/storage_scenario.h).

#include <optional>
#include <string>

namespace fathom::sim {

inline constexpr double kMemoryBudgetBytes = 8.0 * 1024 * 1024 * 1024;  // 8 GiB for one run's structures
inline constexpr double kMemoryShareOfMachine = 0.5;                    // of MemTotal
inline constexpr double kTimeBudgetSeconds = 600;                       // 10 minutes of estimated work

// What a simulation would build and how long it would run.
struct WorkEstimate {
  double items = 0;       // engine tasks, flows, simulated requests...
  std::string item_name;  // "engine tasks", "flows", ...
  double bytes = 0;       // peak memory of what is built
  double seconds = 0;     // estimated wall time
};

// min(kMemoryBudgetBytes, kMemoryShareOfMachine x MemTotal).
double memory_budget_bytes();

// Why `w` does not fit (memory first, then time), e.g. "needs ~12.4 GB for ~41,943,040 engine tasks (the
// memory budget is 8.6 GB)"; empty when it fits.
std::optional<std::string> over_budget(const WorkEstimate& w, double memory_budget_bytes);
std::optional<std::string> over_budget(const WorkEstimate& w);  // with memory_budget_bytes()

// 1048576 -> "1,048,576"; values beyond 1e15 in scientific notation ("1.2e+18").
std::string count_text(double count);

}  // namespace fathom::sim
