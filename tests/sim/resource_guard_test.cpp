// sim/resource_guard.h: the budgets, the one-line reasons and the count formatting.

#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "sim/resource_guard.h"

using fathom::sim::count_text;
using fathom::sim::over_budget;
using fathom::sim::WorkEstimate;

TEST_CASE("resource guard: counts are written with thousands separators", "[unit]") {
  CHECK(count_text(0) == "0");
  CHECK(count_text(999) == "999");
  CHECK(count_text(1000) == "1,000");
  CHECK(count_text(1048576) == "1,048,576");
  CHECK(count_text(123456789012) == "123,456,789,012");
  CHECK(count_text(2.5e18) == "2.5e+18");
  CHECK(count_text(INFINITY) == "inf");
}

TEST_CASE("resource guard: work within both budgets passes", "[unit]") {
  const WorkEstimate w{.items = 1000, .item_name = "engine tasks", .bytes = 1e6, .seconds = 1};
  CHECK_FALSE(over_budget(w, 1e9));
}

TEST_CASE("resource guard: memory over budget names the count, the estimate and the budget", "[unit]") {
  const WorkEstimate w{.items = 41943040, .item_name = "engine tasks", .bytes = 12.4e9, .seconds = 1};
  const auto why = over_budget(w, 8e9);
  REQUIRE(why);
  CHECK(*why == "needs ~12.4 GB for ~41,943,040 engine tasks (the memory budget is 8.0 GB)");
}

TEST_CASE("resource guard: time over budget is refused even when memory fits", "[unit]") {
  const WorkEstimate w{.items = 5e6, .item_name = "flows", .bytes = 1e6, .seconds = 3 * 86400};
  const auto why = over_budget(w, 8e9);
  REQUIRE(why);
  CHECK(why->find("~3 days for ~5,000,000 flows") != std::string::npos);
  CHECK(why->find("time budget is 600 s") != std::string::npos);
}

TEST_CASE("resource guard: NaN and infinite estimates never pass", "[unit]") {
  CHECK(over_budget({.items = 1, .item_name = "x", .bytes = NAN, .seconds = 0}, 8e9));
  CHECK(over_budget({.items = 1, .item_name = "x", .bytes = 0, .seconds = INFINITY}, 8e9));
}

TEST_CASE("resource guard: the memory budget is the cap or half the machine, whichever is smaller", "[unit]") {
  const double budget = fathom::sim::memory_budget_bytes();
  CHECK(budget > 0);
  CHECK(budget <= fathom::sim::kMemoryBudgetBytes);
}
