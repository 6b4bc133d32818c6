#include "models/serving/economics.h"

#include <algorithm>
#include <cmath>

namespace fathom::models::serving {
namespace {

TokenPrices read_prices(const SpecReader& r) {
  // Negative prices are rejected by SpecReader::quantity.
  return TokenPrices{r.quantity<UsdPerToken>("input_cache_hit"), r.quantity<UsdPerToken>("input_cache_miss"),
                     r.quantity<UsdPerToken>("output")};
}

// Length of the intersection of [a0, a1) and [b0, b1).
double intersect(double a0, double a1, double b0, double b1) {
  return std::max(0.0, std::min(a1, b1) - std::max(a0, b0));
}

}  // namespace

double OffPeak::overlap(double from_h, double to_h) const {
  if (to_h <= from_h) return 0.0;
  // Compare on a 48-hour line so bands that wrap midnight are intervals.
  const double end = end_h > start_h ? end_h : end_h + 24.0;
  const double from = std::fmod(from_h, 24.0);
  const double to = from + (to_h - from_h);
  double covered = 0;
  for (double shift : {-24.0, 0.0, 24.0}) covered += intersect(from, to, start_h + shift, end + shift);
  return covered / (to_h - from_h);
}

Usd revenue(const PriceTable& prices, const TokenVolume& v, double from_h, double to_h) {
  auto bill = [&](const TokenPrices& p) {
    return v.input_cache_hit * p.input_cache_hit.value() + v.input_cache_miss * p.input_cache_miss.value() +
           v.output * p.output.value();
  };
  const double off = prices.off_peak ? prices.off_peak->overlap(from_h, to_h) : 0.0;
  double usd = (1.0 - off) * bill(prices.standard);
  if (off > 0) usd += off * bill(prices.off_peak->prices);
  return Usd(usd);
}

Usd gpu_cost(const Economics& e, double gpus, Seconds duration) { return e.gpu_hour_price * duration * gpus; }

double cost_profit_margin(Usd revenue, Usd cost) { return (revenue - cost) / cost; }

Economics read_economics(const SpecReader& r) {
  Economics e;
  e.gpu_hour_price = r.quantity<UsdPerHour>("gpu_hour_price");
  if (e.gpu_hour_price.value() <= 0) r.fail("gpu_hour_price", "must be positive");
  const SpecReader p = r.child("prices");
  e.prices.standard = read_prices(p);
  if (p.has("off_peak")) {
    const SpecReader o = p.child("off_peak");
    OffPeak off;
    auto hour = [&](const char* key) {
      const double h = o.number(key);
      if (h < 0 || h > 24) o.fail(key, "must be an hour of day between 0 and 24");
      return h;
    };
    off.start_h = hour("start_h");
    off.end_h = hour("end_h");
    off.prices = read_prices(o);
    o.finish();
    e.prices.off_peak = off;
  }
  p.finish();
  r.finish();
  return e;
}

}  // namespace fathom::models::serving
