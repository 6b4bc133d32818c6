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

TEST_CASE("spec reader names the closest valid spelling of a mistyped key", "[unit]") {
  const json j = json::parse(R"({"memory": {"context_token": 5, "workspace": "2GiB"}, "clster": {}})");
  const SpecReader top(j, "s.json", "");
  const SpecReader m = top.child("memory");
  // A required key is missing and a near miss stands beside it: the near miss is the fault.
  CHECK_THROWS_WITH(m.integer("context_tokens"),
                    "s.json: memory.context_token: unknown key; did you mean context_tokens?");
  CHECK_THROWS_WITH(top.child("cluster"), "s.json: clster: unknown key; did you mean cluster?");
  // finish(): an unknown key is matched against every key a getter asked about, present or not.
  const json k = json::parse(R"({"requests_per_gpu": 1, "worksapce": "2GiB", "other": 1})");
  const SpecReader r(k, "s.json", "memory");
  r.integer_or("requests_per_gpu", 1, "");
  r.quantity_or<Bytes>("workspace", "2GiB", "");
  r.integer_or("other", 1, "");
  CHECK_THROWS_WITH(r.finish(), "s.json: memory.worksapce: unknown key; did you mean workspace?");
  const json l = json::parse(R"({"tp": 1, "zzz": 1})");
  const SpecReader p(l, "s.json", "parallelism");
  p.integer_or("tp", 1, "");
  p.integer_or("pp", 1, "");
  CHECK_THROWS_WITH(p.finish(), "s.json: parallelism.zzz: unknown key; expected here: pp, tp");
}

TEST_CASE("spec reader bounds integers and cuts pasted values short", "[unit]") {
  json j = json::parse(R"({"big": 1e30, "huge": 18446744073709551615, "n": 5, "s": 3})");
  j["list"] = std::vector<int>(2000, 1);
  const SpecReader r(j, "s.json", "");
  CHECK_THROWS_WITH(r.integer("big"), Catch::StartsWith("s.json: big: 1e+30 is out of range"));
  CHECK_THROWS_WITH(r.integer("huge"), Catch::StartsWith("s.json: huge: 18446744073709551615 is out of range"));
  CHECK_THROWS_WITH(r.at_most("n", 5, 4), "s.json: n: must be at most 4, got 5");
  try {
    r.text("s");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()) == "s.json: s: expected a string, got 3");
  }
  try {
    r.integer("list");
    FAIL("a list is not an integer");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).size() < 120);  // the pasted list is cut short
  }
}
