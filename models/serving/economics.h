#pragma once
// Serving economics: what the GPUs cost at a rental price, and the theoretical revenue if every
// token were billed at a price table (cache-hit input, cache-miss input, output), with optional
// off-peak hours at other prices. Prices of the reference scenario: published-figures.md §7.

#include <optional>

#include "sim/spec_reader.h"
#include "sim/units.h"

namespace fathom::models::serving {

struct TokenPrices {
  UsdPerToken input_cache_hit;
  UsdPerToken input_cache_miss;
  UsdPerToken output;
};

struct OffPeak {
  double start_h = 0;  // hour of day the discount starts (scenario clock)
  double end_h = 0;    // hour of day it ends (may wrap past 24)
  TokenPrices prices;

  // Fraction of [from_h, to_h) that falls in the off-peak band.
  double overlap(double from_h, double to_h) const;
};

struct PriceTable {
  TokenPrices standard;
  std::optional<OffPeak> off_peak;
};

struct TokenVolume {
  double input_cache_hit = 0;
  double input_cache_miss = 0;
  double output = 0;
};

struct Economics {
  PriceTable prices;
  UsdPerHour gpu_hour_price;
};

// Revenue of `volume` served during [from_h, to_h): the off-peak share at off-peak prices.
Usd revenue(const PriceTable& prices, const TokenVolume& volume, double from_h, double to_h);
// Cost of `gpus` GPUs rented for `duration`.
Usd gpu_cost(const Economics& e, double gpus, Seconds duration);
// (revenue - cost) / cost; 1.0 means 100%.
double cost_profit_margin(Usd revenue, Usd cost);

// Reads {"gpu_hour_price": "2USD/h", "prices": {"input_cache_hit": "0.14USD/Mtok", ...,
// "off_peak": {"start_h": 0.5, "end_h": 8.5, "input_cache_hit": ..., ...}}}.
Economics read_economics(const SpecReader& reader);

}  // namespace fathom::models::serving
