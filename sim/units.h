#pragma once
// Strong quantity types and the one place where unit strings ("80GiB", "2.8us", "400Gbps",
// "989TFLOPS", "2USD/h") become numbers. Every value is stored in SI base units: bytes, seconds,
// FLOP, FLOP/s, bytes/s, hertz, US dollars, US dollars per hour, watts.

#include <compare>
#include <stdexcept>
#include <string>
#include <string_view>

namespace fathom {

// A double tagged with its dimension. Same-dimension arithmetic only; the ratio of two quantities
// of one dimension is a plain double.
template <class Tag>
class Quantity {
 public:
  constexpr Quantity() = default;
  constexpr explicit Quantity(double value) : value_(value) {}
  constexpr double value() const { return value_; }

  constexpr Quantity operator+(Quantity o) const { return Quantity(value_ + o.value_); }
  constexpr Quantity operator-(Quantity o) const { return Quantity(value_ - o.value_); }
  constexpr Quantity operator*(double s) const { return Quantity(value_ * s); }
  constexpr Quantity operator/(double s) const { return Quantity(value_ / s); }
  constexpr double operator/(Quantity o) const { return value_ / o.value_; }
  constexpr Quantity& operator+=(Quantity o) {
    value_ += o.value_;
    return *this;
  }
  constexpr Quantity& operator-=(Quantity o) {
    value_ -= o.value_;
    return *this;
  }
  constexpr auto operator<=>(const Quantity&) const = default;

 private:
  double value_ = 0.0;
};

template <class Tag>
constexpr Quantity<Tag> operator*(double s, Quantity<Tag> q) {
  return q * s;
}

struct BytesTag {};
struct SecondsTag {};
struct FlopsTag {};
struct FlopsPerSecondTag {};
struct BytesPerSecondTag {};
struct HertzTag {};
struct UsdTag {};
struct UsdPerHourTag {};
struct WattsTag {};
struct UsdPerTokenTag {};

using Bytes = Quantity<BytesTag>;                    // B
using Seconds = Quantity<SecondsTag>;                // s
using Flops = Quantity<FlopsTag>;                    // FLOP (a count, not a rate)
using FlopsPerSecond = Quantity<FlopsPerSecondTag>;  // FLOP/s
using BytesPerSecond = Quantity<BytesPerSecondTag>;  // B/s
using Hertz = Quantity<HertzTag>;                    // 1/s
using Usd = Quantity<UsdTag>;                        // US dollars
using UsdPerHour = Quantity<UsdPerHourTag>;          // US dollars per hour
using Watts = Quantity<WattsTag>;                    // W
using UsdPerToken = Quantity<UsdPerTokenTag>;        // US dollars per token (written "0.14USD/Mtok")

constexpr Seconds operator/(Flops f, FlopsPerSecond r) { return Seconds(f.value() / r.value()); }
constexpr Seconds operator/(Bytes b, BytesPerSecond r) { return Seconds(b.value() / r.value()); }
constexpr Flops operator*(FlopsPerSecond r, Seconds t) { return Flops(r.value() * t.value()); }
constexpr Bytes operator*(BytesPerSecond r, Seconds t) { return Bytes(r.value() * t.value()); }
constexpr FlopsPerSecond operator/(Flops f, Seconds t) { return FlopsPerSecond(f.value() / t.value()); }
constexpr BytesPerSecond operator/(Bytes b, Seconds t) { return BytesPerSecond(b.value() / t.value()); }
constexpr Usd operator*(UsdPerHour p, Seconds t) { return Usd(p.value() * t.value() / 3600.0); }

// Thrown when a unit string cannot be parsed; the caller prefixes the JSON path or flag.
class UnitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parse "<number>[ ]<unit>" into the quantity type Q. Accepted units per type are listed in
// docs/scenarios.md; decimal prefixes are powers of 1000, binary (KiB, MiB, ...) powers of 1024,
// and lower-case 'b' means bits ("400Gbps" = 50e9 B/s). Throws UnitError naming the accepted units.
template <class Q>
Q parse_quantity(std::string_view text);

// The accepted unit suffixes for Q, for error messages: e.g. "B, KB, MB, GB, TB, KiB, ...".
template <class Q>
std::string accepted_units();

// Human-readable rendering with an SI prefix, e.g. format_bytes(Bytes(84.9e9)) == "84.9 GB".
std::string format_bytes(Bytes b);
std::string format_seconds(Seconds s);
std::string format_rate(FlopsPerSecond r);

}  // namespace fathom
