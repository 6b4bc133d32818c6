#pragma once
// The units a claim may state its value in (`fathom verify`, docs/claims.md), with exact factors to the base
// unit of their dimension: bytes, seconds, FLOP, FLOP/s, B/s, tokens, tokens/s, USD, USD/h, GPU-hours,
// counts (GPUs, nodes, requests, params) and plain ratios. A claimed value is compared with a metric only
// in the same dimension, after both are converted to the base unit. Decimal prefixes are powers of 1000,
// binary ones (KiB, GiB) powers of 1024; a lower-case "b" is bits (Gbps: 1e9 / 8 B/s). The names are
// matched exactly (case matters: "Gb" is gigabits, "GB" gigabytes).

#include <string>
#include <string_view>
#include <vector>

namespace fathom {

struct ClaimUnit {
  std::string name;       // as written: "GB", "us", "TFLOPS"
  std::string dimension;  // "bytes", "time", ... (one word, shown in errors)
  double factor = 1;      // base units per one of this unit: value_in_base = value * factor
};

// Every unit, in a fixed order (the docs list them from here).
const std::vector<ClaimUnit>& claim_units();

// The unit called `name`, or nullptr.
const ClaimUnit* find_claim_unit(std::string_view name);

}  // namespace fathom
