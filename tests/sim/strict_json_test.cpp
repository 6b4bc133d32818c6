#include <catch2/catch.hpp>

#include <string>

#include "sim/error.h"
#include "sim/strict_json.h"

using namespace fathom;

TEST_CASE("strict JSON parses ordinary JSON as nlohmann does", "[unit]") {
  const nlohmann::json j = parse_strict_json(R"({"a": [1, 2.5, {"b": null}], "c": "µs", "d": {"a": 1}})", "t.json");
  CHECK(j["a"][1] == 2.5);
  CHECK(j["c"] == "µs");
  CHECK(j["d"]["a"] == 1);  // the same key in different objects is no duplicate
}

TEST_CASE("strict JSON refuses a key written twice, naming its path", "[unit]") {
  CHECK_THROWS_WITH(parse_strict_json(R"({"a": {"b": 1, "b": 2}})", "t.json"),
                    Catch::StartsWith("t.json: a.b: duplicate key"));
  CHECK_THROWS_WITH(parse_strict_json(R"({"l": [{"x": 1}, {"x": 1, "x": 2}]})", "t.json"),
                    Catch::StartsWith("t.json: l.1.x: duplicate key"));
}

TEST_CASE("strict JSON refuses absurd nesting without recursing", "[unit]") {
  const std::string deep = std::string(60000, '[') + std::string(60000, ']');
  CHECK_THROWS_WITH(parse_strict_json(deep, "d.json"), Catch::Contains("nested deeper than 64 levels"));
  const std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  CHECK_NOTHROW(parse_strict_json(ok, "d.json"));
  const std::string over = std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  CHECK_THROWS_AS(parse_strict_json(over, "d.json"), InputError);
}

TEST_CASE("strict JSON: out-of-range numbers and malformed text are input errors with a place", "[unit]") {
  CHECK_THROWS_WITH(parse_strict_json(R"({"m": {"n": 1e400}})", "t.json"),
                    "t.json: m.n: the number 1e400 is out of range (a double reaches about 1.8e308)");
  CHECK_THROWS_WITH(parse_strict_json("1e400", "--set a.b=1e400", "a.b"), Catch::StartsWith("--set a.b=1e400: a.b:"));
  CHECK_THROWS_AS(parse_strict_json("{\n  \"a\": \n}", "t.json"), JsonSyntaxError);
  CHECK_THROWS_WITH(parse_strict_json("{\n  \"a\": \n}", "t.json"),
                    Catch::StartsWith("t.json: line 3: malformed JSON"));
  CHECK_THROWS_WITH(parse_strict_json(" \n", "t.json"), "t.json: empty: expected a JSON value");
  CHECK_THROWS_AS(parse_strict_json("{\"a\": \"\xff\"}", "t.json"), JsonSyntaxError);
}

TEST_CASE("UTF-8 validation and printable error text", "[unit]") {
  CHECK(is_valid_utf8("plain"));
  CHECK(is_valid_utf8("µs μs ✓ 😀"));
  CHECK_FALSE(is_valid_utf8("\xff"));
  CHECK_FALSE(is_valid_utf8("\xc3"));          // cut short
  CHECK_FALSE(is_valid_utf8("\xc0\xaf"));      // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));  // a UTF-16 surrogate
  CHECK(printable("a\nb\xff") == "a\\nb\\xFF");
  CHECK(printable("µs") == "µs");
  CHECK(printable(std::string(100, 'x'), 10) == "xxxxxxxxxx...");
  CHECK(brief(nlohmann::json::array({1, 2, 3})) == "[1,2,3]");
  CHECK(brief(nlohmann::json(std::string(1000, 'y'))).size() < 70);
}

TEST_CASE("closest spelling: typos, case, swapped letters and cut-short names", "[unit]") {
  const std::vector<std::string> keys = {"context_tokens", "requests_per_gpu", "workspace"};
  CHECK(closest_spelling("context_token", keys) == "context_tokens");
  CHECK(closest_spelling("Workspace", keys) == "workspace");
  CHECK(closest_spelling("reqeusts_per_gpu", keys) == "requests_per_gpu");
  CHECK(closest_spelling("batch", keys).empty());
  CHECK(closest_spelling("--output", {"--out", "--json"}) == "--out");
  CHECK(closest_spelling("decoding", {"prefill", "decode", "training"}) == "decode");
}
