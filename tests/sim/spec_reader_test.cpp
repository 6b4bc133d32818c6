#include <catch2/catch.hpp>

#include "sim/spec_reader.h"

using namespace fathom;
using nlohmann::json;

TEST_CASE("spec reader reads plain and sourced values and records provenance", "[unit]") {
  const json j = json::parse(R"({
    "hbm": {"value": "80GB", "source": "published:H02"},
    "sms": {"value": 132, "source": "assumed:vendor sheet"},
    "name": "h800",
    "inner": {"rate": "50GB/s"}
  })");
  ProvenanceLog log;
  const SpecReader r(j, "gpu.json", "", &log);
  CHECK(r.quantity<Bytes>("hbm").value() == 80e9);
  CHECK(r.integer("sms") == 132);
  CHECK(r.text("name") == "h800");
  CHECK(r.child("inner").quantity<BytesPerSecond>("rate").value() == 50e9);
  CHECK(r.number_or("missing", 0.5, "why not") == 0.5);
  r.finish();
  REQUIRE(log.entries().size() == 5);
  CHECK(log.entries()[0].source.kind == SourceKind::published);
  CHECK(log.entries()[0].source.ref == "H02");
  CHECK(log.entries()[3].json_path == "inner.rate");
  CHECK(log.assumptions().size() == 2);  // the assumed SM count and the default
}

TEST_CASE("spec reader errors are one line naming file and JSON path", "[unit]") {
  const json j = json::parse(
      R"({"a": {"hbm": "80Gx", "n": 1.5, "k": "dualpipe", "src": {"value": 1, "source": "guess"}}, "typo": 1})");
  const SpecReader top(j, "s.json", "");
  const SpecReader a = top.child("a");
  CHECK_THROWS_WITH(a.quantity<Bytes>("hbm"), Catch::StartsWith("s.json: a.hbm: unknown unit"));
  CHECK_THROWS_WITH(a.integer("n"), "s.json: a.n: expected an integer, got 1.5");
  CHECK_THROWS_WITH(a.choice("k", {"1f1b", "zb1p"}), "s.json: a.k: \"dualpipe\" is not one of: 1f1b, zb1p");
  CHECK_THROWS_WITH(a.number("absent"), "s.json: a.absent: required key is missing");
  CHECK_THROWS_WITH(a.number("src"), Catch::Contains("s.json: a.src: bad source \"guess\""));
  CHECK_THROWS_WITH(top.finish(), Catch::Contains("s.json: typo: unknown key"));
  CHECK_THROWS_WITH(top.child("missing"), "s.json: missing: required section is missing");
  CHECK_THROWS_WITH(a.at_least("n", 0, 1), "s.json: a.n: must be at least 1, got 0");
}

TEST_CASE("spec reader rejects negative quantities, naming the path", "[unit]") {
  const json j = json::parse(R"({"size": "-1GiB", "time": "-2us", "zero": "0B", "price": "-2USD/h"})");
  const SpecReader r(j, "s.json", "");
  CHECK(r.quantity<Bytes>("zero").value() == 0);
  for (const char* key : {"size", "time", "price"}) {
    try {
      if (std::string(key) == "size") r.quantity<Bytes>(key);
      if (std::string(key) == "time") r.quantity<Seconds>(key);
      if (std::string(key) == "price") r.quantity<UsdPerHour>(key);
      FAIL("no error for " << key);
    } catch (const InputError& e) {
      CHECK(std::string(e.what()) == std::string("s.json: ") + key + ": cannot be negative");
    }
  }
}

TEST_CASE("spec reader records a value's uncertainty range and uses the point value", "[unit]") {
  const json j = json::parse(R"({
    "skew": {"value": 0.2, "range": [0, 0.5], "source": "assumed:not published"},
    "bw": {"value": "40GB/s", "range": ["30GB/s", "45GB/s"], "source": "assumed:guess"}
  })");
  ProvenanceLog log;
  const SpecReader r(j, "s.json", "", &log);
  CHECK(r.number("skew") == 0.2);
  CHECK(r.quantity<BytesPerSecond>("bw").value() == 40e9);
  r.finish();
  REQUIRE(log.entries().size() == 2);
  CHECK(log.entries()[0].range_text == "[0, 0.5]");
  CHECK(log.entries()[1].range_text == "[30GB/s, 45GB/s]");
}

TEST_CASE("spec reader rejects a malformed range with one line naming the path", "[unit]") {
  auto error_of = [](const char* text) {
    const json j = json::parse(text);
    const SpecReader r(j, "s.json", "", nullptr);
    try {
      r.number("x");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(error_of(R"({"x": {"value": 0.7, "range": [0, 0.5], "source": "assumed:a"}})").find("s.json: x: ") == 0);
  CHECK(error_of(R"({"x": {"value": 0.2, "range": [0.5, 0], "source": "assumed:a"}})").find("s.json: x: ") == 0);
  CHECK(error_of(R"({"x": {"value": 0.2, "range": [0], "source": "assumed:a"}})").find("s.json: x: ") == 0);
  CHECK(error_of(R"({"x": {"value": 0.2, "range": [0, 0.5], "source": "assumed:a"}})").empty());
}
