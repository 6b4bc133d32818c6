#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "sim/error.h"
#include "sim/scenario_document.h"

using namespace fathom;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("fathom_scenario_test_" + name);
  fs::remove_all(d);
  fs::create_directories(d / "hw");
  return d;
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

}  // namespace

TEST_CASE("$include merges files relative to the including file, local keys win", "[unit]") {
  const fs::path d = temp_dir("include");
  write(d / "hw" / "gpu.json", R"({"name": "g", "hbm": "80GB", "sm": 132})");
  write(d / "hw" / "node.json", R"({"gpu": {"$include": "gpu.json", "sm": 100}, "gpus": 8})");
  write(d / "top.json", R"({"node": {"$include": "hw/node.json"}, "nodes": 2})");
  const ScenarioDocument doc = load_scenario(d / "top.json");
  CHECK(doc.root["node"]["gpu"]["hbm"] == "80GB");
  CHECK(doc.root["node"]["gpu"]["sm"] == 100);
  CHECK(doc.root["node"]["gpus"] == 8);
  CHECK(doc.root["nodes"] == 2);
  CHECK(doc.resolve_path("models/x.json") == (fs::absolute(d) / "models/x.json").lexically_normal());
}

TEST_CASE("scenario overrides (--set) apply after includes, parsing JSON where it can", "[unit]") {
  const fs::path d = temp_dir("set");
  write(d / "top.json", R"({"a": {"b": 1, "c": "x"}, "list": [1, 2]})");
  const ScenarioDocument doc = load_scenario(d / "top.json", {"a.b=4", "a.c=400GB/s", "list.1=7", "a.new=true"});
  CHECK(doc.root["a"]["b"] == 4);
  CHECK(doc.root["a"]["c"] == "400GB/s");
  CHECK(doc.root["list"][1] == 7);
  CHECK(doc.root["a"]["new"] == true);
  CHECK_THROWS_WITH(load_scenario(d / "top.json", {"a.z.q=1"}), Catch::Contains("--set a.z.q=1: no key \"z\""));
  CHECK_THROWS_WITH(load_scenario(d / "top.json", {"nonsense"}), Catch::Contains("expected path.to.key=value"));
  CHECK_THROWS_WITH(load_scenario(d / "top.json", {"list.9=1"}), Catch::Contains("out of range"));
}

TEST_CASE("include errors name the file and JSON path", "[unit]") {
  const fs::path d = temp_dir("errors");
  write(d / "missing.json", R"({"gpu": {"$include": "nope.json"}})");
  CHECK_THROWS_WITH(load_scenario(d / "missing.json"), Catch::Contains("missing.json: gpu.$include: included file"));
  write(d / "a.json", R"({"$include": "b.json"})");
  write(d / "b.json", R"({"$include": "a.json"})");
  CHECK_THROWS_WITH(load_scenario(d / "a.json"), Catch::Contains("cycle"));
  write(d / "bad.json", "{\n  \"a\": 1,\n  \"b\": \n}");
  CHECK_THROWS_WITH(load_scenario(d / "bad.json"), Catch::Contains("line 4: malformed JSON"));
  CHECK_THROWS_AS(load_scenario(d / "absent.json"), InputError);
}

TEST_CASE("several includes in one file, each including more, resolve against the right files", "[unit]") {
  // Regression: the include stack grows while the top file is being walked; the top file's path
  // must not be a reference into that stack.
  const fs::path d = temp_dir("many");
  fs::create_directories(d / "hw" / "deep");
  write(d / "hw" / "deep" / "leaf.json", R"({"leaf": 1})");
  write(d / "hw" / "a.json", R"({"x": {"$include": "deep/leaf.json"}})");
  write(d / "hw" / "b.json", R"({"y": {"$include": "deep/leaf.json"}})");
  write(d / "top.json",
        R"({"$include": ["hw/a.json", "hw/b.json"], "p": {"$include": "hw/a.json"}, "q": {"$include": "hw/b.json"}})");
  const ScenarioDocument doc = load_scenario(d / "top.json");
  CHECK(doc.root["x"]["leaf"] == 1);
  CHECK(doc.root["y"]["leaf"] == 1);
  CHECK(doc.root["p"]["x"]["leaf"] == 1);
  CHECK(doc.root["q"]["y"]["leaf"] == 1);
}

TEST_CASE("an include not beside the file is looked up in the search directories, the error says where", "[unit]") {
  const fs::path lib = temp_dir("library");
  write(lib / "hw" / "gpu.json", R"({"name": "g", "sm": 132})");
  const fs::path mine = temp_dir("whatif");
  write(mine / "top.json", R"({"gpu": {"$include": "hw/gpu.json", "sm": 100}, "model": "models/m.json"})");
  fs::remove_all(mine / "hw");
  CHECK_THROWS_WITH(load_scenario(mine / "top.json"),
                    Catch::Contains("top.json: gpu.$include: included file hw/gpu.json not found; looked in " +
                                    (fs::absolute(mine) / "hw/gpu.json").lexically_normal().string()));
  const ScenarioDocument doc = load_scenario(mine / "top.json", {}, {lib});
  CHECK(doc.root["gpu"]["name"] == "g");
  CHECK(doc.root["gpu"]["sm"] == 100);
  // Other paths: beside the scenario first, then the library; not found names every place tried.
  fs::create_directories(lib / "models");
  write(lib / "models" / "m.json", "{}");
  CHECK(doc.resolve_path("models/m.json") == (lib / "models/m.json").lexically_normal());
  CHECK_THROWS_WITH(throw InputError(doc.not_found("models/x.json")),
                    Catch::Contains("file models/x.json not found; looked in " +
                                    (fs::absolute(mine) / "models/x.json").lexically_normal().string() + ", " +
                                    (lib / "models/x.json").lexically_normal().string()));
}

TEST_CASE("overrides (--set): $include in a value switches a section, JSON rules apply, bad text is one line",
          "[unit]") {
  const fs::path d = temp_dir("set_include");
  write(d / "hw" / "a.json", R"({"name": "a", "sm": 1})");
  write(d / "hw" / "b.json", R"({"name": "b", "sm": 2})");
  write(d / "top.json", R"({"gpu": {"$include": "hw/a.json"}, "n": 1})");
  const ScenarioDocument doc = load_scenario(d / "top.json", {R"(gpu={"$include": "hw/b.json", "sm": 3})"});
  CHECK(doc.root["gpu"]["name"] == "b");
  CHECK(doc.root["gpu"]["sm"] == 3);
  CHECK_THROWS_WITH(load_scenario(d / "top.json", {R"(gpu={"$include": "hw/c.json"})"}),
                    Catch::Contains("gpu.$include: included file hw/c.json not found; looked in"));
  CHECK_THROWS_WITH(load_scenario(d / "top.json", {"n=1e400"}),
                    Catch::StartsWith("--set n=1e400: n: the number 1e400 is out of range"));
  CHECK_THROWS_WITH(load_scenario(d / "top.json", {"n=\xff"}), "--set n=\\xFF: not valid UTF-8 text");
  CHECK_THROWS_WITH(load_scenario(d / "top.json", {R"(gpu={"a": 1, "a": 2})"}),
                    Catch::Contains("gpu.a: duplicate key"));
  CHECK(load_scenario(d / "top.json", {"n={\"a\":"}).root["n"] == "{\"a\":");  // not JSON: a string
}

TEST_CASE("a scenario file: duplicate keys, deep nesting and a non-object top level are refused", "[unit]") {
  const fs::path d = temp_dir("strict");
  write(d / "dup.json", R"({"a": 1, "a": 2})");
  CHECK_THROWS_WITH(load_scenario(d / "dup.json"), Catch::Contains("dup.json: a: duplicate key"));
  write(d / "deep.json", "{\"a\": " + std::string(60000, '[') + std::string(60000, ']') + "}");
  CHECK_THROWS_WITH(load_scenario(d / "deep.json"), Catch::Contains("nested deeper than"));
  write(d / "list.json", "[1]");
  CHECK_THROWS_WITH(load_scenario(d / "list.json"), Catch::Contains("a scenario must be a JSON object"));
}
