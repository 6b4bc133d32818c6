#include <catch2/catch.hpp>

#include "sim/units.h"

using namespace fathom;

TEST_CASE("unit strings parse into SI base units", "[unit]") {
  CHECK(parse_quantity<Bytes>("80GiB").value() == 80.0 * 1024 * 1024 * 1024);
  CHECK(parse_quantity<Bytes>("80GB").value() == 80e9);
  CHECK(parse_quantity<Bytes>("70.272 KB").value() == Approx(70272.0));
  CHECK(parse_quantity<Seconds>("2.8us").value() == Approx(2.8e-6));
  CHECK(parse_quantity<Seconds>("30min").value() == 1800.0);
  CHECK(parse_quantity<FlopsPerSecond>("989TFLOPS").value() == 989e12);
  // lower-case b is bits: one 400 Gb/s NIC moves 50 GB/s.
  CHECK(parse_quantity<BytesPerSecond>("400Gbps").value() == 50e9);
  CHECK(parse_quantity<BytesPerSecond>("400Gb/s").value() == 50e9);
  CHECK(parse_quantity<BytesPerSecond>("400GBps").value() == 400e9);
  CHECK(parse_quantity<BytesPerSecond>("50GB/s").value() == 50e9);
  CHECK(parse_quantity<UsdPerHour>("2USD/h").value() == 2.0);
  CHECK(parse_quantity<Hertz>("1830MHz").value() == 1.83e9);
}

TEST_CASE("bad unit strings are rejected with the accepted units", "[unit]") {
  CHECK_THROWS_WITH(parse_quantity<Bytes>("80Gx"), Catch::Contains("unknown unit \"Gx\"") && Catch::Contains("GiB"));
  CHECK_THROWS_WITH(parse_quantity<Bytes>("80"), Catch::Contains("has no unit"));
  CHECK_THROWS_WITH(parse_quantity<Seconds>("fast"), Catch::Contains("expected a number"));
  CHECK_THROWS_AS(parse_quantity<BytesPerSecond>("50GB"), UnitError);
}

TEST_CASE("dimensional arithmetic gives the right types", "[unit]") {
  const Seconds t = Flops(989e12) / FlopsPerSecond(989e12);
  CHECK(t.value() == 1.0);
  const Seconds u = Bytes(3.35e12) / BytesPerSecond(3.35e12);
  CHECK(u.value() == 1.0);
  CHECK((UsdPerHour(2.0) * Seconds(3600.0)).value() == 2.0);
  CHECK(Bytes(10) / Bytes(4) == 2.5);
}

TEST_CASE("micro: both the micro sign and the Greek mu are accepted", "[unit]") {
  CHECK(parse_quantity<Seconds>("2.8\u00b5s").value() == Approx(2.8e-6));  // MICRO SIGN
  CHECK(parse_quantity<Seconds>("2.8\u03bcs").value() == Approx(2.8e-6));  // GREEK SMALL LETTER MU
  CHECK(parse_quantity<Seconds>("2.8 \u03bcs").value() == Approx(2.8e-6));
}

TEST_CASE("unit errors: case typos named, out-of-range and non-finite numbers refused", "[unit]") {
  CHECK_THROWS_WITH(parse_quantity<Bytes>("80gib"), Catch::Contains("(did you mean GiB?)"));
  // Gbps and GBps differ only in case, and mean different things: no guess.
  CHECK_THROWS_WITH(parse_quantity<BytesPerSecond>("400gbps"), !Catch::Contains("did you mean"));
  CHECK_THROWS_WITH(parse_quantity<Bytes>("1e400GB"), Catch::Contains("out of range"));
  CHECK_THROWS_WITH(parse_quantity<Bytes>("1e308PB"), Catch::Contains("not a finite number"));
  CHECK_THROWS_WITH(parse_quantity<Seconds>("nans"), Catch::Contains("not a finite number"));
  CHECK_THROWS_WITH(parse_quantity<Bytes>(std::string(5000, '9') + "GB"), Catch::Contains("..."));
}
