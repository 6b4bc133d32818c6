#include "sim/claim_units.h"

namespace fathom {

const std::vector<ClaimUnit>& claim_units() {
  static const std::vector<ClaimUnit> units = {
      {"", "ratio", 1},
      {"x", "ratio", 1},
      {"%", "ratio", 0.01},
      {"B", "bytes", 1},
      {"KB", "bytes", 1e3},
      {"kB", "bytes", 1e3},
      {"MB", "bytes", 1e6},
      {"GB", "bytes", 1e9},
      {"TB", "bytes", 1e12},
      {"PB", "bytes", 1e15},
      {"KiB", "bytes", 1024.0},
      {"MiB", "bytes", 1024.0 * 1024},
      {"GiB", "bytes", 1024.0 * 1024 * 1024},
      {"TiB", "bytes", 1024.0 * 1024 * 1024 * 1024},
      {"s", "time", 1},
      {"ms", "time", 1e-3},
      {"us", "time", 1e-6},
      {"\u00b5s", "time", 1e-6},  // micro sign
      {"\u03bcs", "time", 1e-6},  // Greek mu
      {"ns", "time", 1e-9},
      {"min", "time", 60},
      {"h", "time", 3600},
      {"day", "time", 86400},
      {"days", "time", 86400},
      {"FLOP", "flops", 1},
      {"GFLOP", "flops", 1e9},
      {"TFLOP", "flops", 1e12},
      {"PFLOP", "flops", 1e15},
      {"EFLOP", "flops", 1e18},
      {"FLOP/s", "flop_rate", 1},
      {"FLOPS", "flop_rate", 1},
      {"GFLOPS", "flop_rate", 1e9},
      {"GFLOP/s", "flop_rate", 1e9},
      {"TFLOPS", "flop_rate", 1e12},
      {"TFLOP/s", "flop_rate", 1e12},
      {"PFLOPS", "flop_rate", 1e15},
      {"PFLOP/s", "flop_rate", 1e15},
      {"B/s", "bandwidth", 1},
      {"KB/s", "bandwidth", 1e3},
      {"MB/s", "bandwidth", 1e6},
      {"GB/s", "bandwidth", 1e9},
      {"TB/s", "bandwidth", 1e12},
      {"GiB/s", "bandwidth", 1024.0 * 1024 * 1024},
      {"Gbps", "bandwidth", 1e9 / 8},
      {"Gb/s", "bandwidth", 1e9 / 8},
      {"Tbps", "bandwidth", 1e12 / 8},
      {"tokens", "tokens", 1},
      {"Ktokens", "tokens", 1e3},
      {"Mtokens", "tokens", 1e6},
      {"Btokens", "tokens", 1e9},
      {"Ttokens", "tokens", 1e12},
      {"tokens/s", "token_rate", 1},
      {"tokens/min", "token_rate", 1.0 / 60},
      {"tokens/h", "token_rate", 1.0 / 3600},
      {"tokens/day", "token_rate", 1.0 / 86400},
      {"Btokens/day", "token_rate", 1e9 / 86400},
      {"USD", "money", 1},
      {"kUSD", "money", 1e3},
      {"MUSD", "money", 1e6},
      {"BUSD", "money", 1e9},
      {"USD/h", "money_rate", 1},
      {"GPU-h", "gpu_time", 1},
      {"kGPU-h", "gpu_time", 1e3},
      {"MGPU-h", "gpu_time", 1e6},
      {"GPUs", "gpus", 1},
      {"nodes", "nodes", 1},
      {"requests", "requests", 1},
      {"params", "params", 1},
      {"Bparams", "params", 1e9},
  };
  return units;
}

const ClaimUnit* find_claim_unit(std::string_view name) {
  for (const ClaimUnit& u : claim_units()) {
    if (u.name == name) return &u;
  }
  return nullptr;
}

}  // namespace fathom
