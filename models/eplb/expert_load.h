#pragma once
// Per-layer expert loads for EPLB: a power-law (Zipf) skew, or measured token counts from a file.
//
// Contract:
//  - Zipf: in every layer the expert of popularity rank r (1-based) gets a share proportional to
//    r^-exponent of tokens_per_layer; which expert holds which rank is a seeded shuffle per layer
//    (std::mt19937_64, so the same seed gives the same loads everywhere). exponent 0 = uniform.
//  - Files: CSV (one row per layer, one column per expert; blank lines and lines starting with
//    '#' skipped; an optional first row that is not numeric is a header) or JSON (an array of
//    arrays, or an object with a "weights" array of arrays). Errors name the file and the row.

#include <cstdint>
#include <string>

#include "models/eplb/eplb.h"

namespace fathom::models::eplb {

// Parameters of the power-law load model.
struct ZipfLoadSpec {
  int layers = 58;
  int experts = 256;
  double exponent = 1.0;
  double tokens_per_layer = 65536.0 * 8;  // routed expert slots (tokens x top-k) per layer
  uint64_t seed = 0;
};

LoadMatrix zipf_loads(const ZipfLoadSpec& spec);

LoadMatrix parse_loads_csv(const std::string& text, const std::string& label);
LoadMatrix parse_loads_json(const std::string& text, const std::string& label);
// Reads `path` (".json" -> JSON, anything else -> CSV); InputError when missing or malformed.
LoadMatrix read_loads_file(const std::string& path);

}  // namespace fathom::models::eplb
