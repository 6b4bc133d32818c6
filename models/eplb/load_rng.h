#pragma once
// A seeded random source whose draws are the same on every standard library: std::mt19937_64
// output is fixed by the standard, but std::*_distribution is not, so the mappings are written
// here (53-bit uniforms, Box-Muller normals).

#include <cmath>
#include <cstdint>
#include <random>

namespace fathom::models::eplb {

// Deterministic uniform / normal / index draws from one std::mt19937_64.
class LoadRng {
 public:
  explicit LoadRng(uint64_t seed) : engine_(seed) {}

  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
  size_t index(size_t n) { return static_cast<size_t>(uniform() * static_cast<double>(n)); }
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2.0 * M_PI * u2);
    has_spare_ = true;
    return r * std::cos(2.0 * M_PI * u2);
  }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace fathom::models::eplb
