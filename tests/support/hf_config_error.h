#pragma once
// The one-line error of parsing an HF config (models/hf_config.h), for the tests of what configs are refused.

#include <nlohmann/json.hpp>
#include <string>

#include "models/hf_config.h"
#include "sim/error.h"

namespace fathom::test {

// The error message of parsing `config` as "test.config.json", or "" if it parsed.
inline std::string hf_config_error(const nlohmann::json& config) {
  try {
    fathom::models::parse_hf_config(config, "test.config.json");
  } catch (const fathom::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace fathom::test
