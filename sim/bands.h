#pragma once
// The sampling behind `--bands` (ARCHITECTURE.md §5): the scenario values that carry a range, a seeded
// Latin hypercube over them, and percentiles. Domain-free: a run kind turns each sampled document into a
// Report, and the caller reads the Reports' headline metrics.
//
// Contract:
//  - A ranged value is an object {"value": v, "range": [lo, hi], ...} anywhere in the resolved scenario;
//    v, lo and hi are numbers, or strings with the same unit after the number ("5ms", ["2ms", "10ms"]).
//  - Sampling is uniform in [lo, hi] (integer values: rounded to the nearest integer); the same ranges, count and seed
//  give the same samples on every
//    platform (std::mt19937_64, whose sequence the standard fixes, and fathom's own shuffle and u01).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fathom {

struct RangedValue {
  std::string path;  // JSON pointer of the {"value", "range"} object, e.g. "/expert_load/zipf_exponent"
  double point = 0, low = 0, high = 0;
  std::string unit;      // the unit text of string quantities ("ms"), empty for plain numbers
  bool integer = false;  // value and both ends are JSON integers: samples are rounded to the nearest one
  std::string source;    // the value's "source", if any
};

// Every ranged value of `root`, in document order (object keys sorted, as nlohmann stores them). Throws
// InputError "<label>: <path>: ..." when a range and its value do not share a unit.
std::vector<RangedValue> find_ranges(const nlohmann::json& root, const std::string& label);

// `root` with the value of `r` set to `x` (written back with its unit for string quantities).
nlohmann::json with_value(nlohmann::json root, const RangedValue& r, double x);

// samples[i][j]: the value of ranges[j] in sample i, a Latin hypercube of `n` samples (each range's n equal
// strata visited once, in a seeded random order, with a uniform draw inside each stratum).
std::vector<std::vector<double>> latin_hypercube(const std::vector<RangedValue>& ranges, int n, uint64_t seed);

// The p-th percentile (0..100) of `values` by linear interpolation between order statistics.
double percentile(std::vector<double> values, double p);

}  // namespace fathom
