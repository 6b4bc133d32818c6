// The folded schedule (models/schedule/schedule_digest.h): unit counts and live activation states against the
// schedule itself, and DigestCache's extrapolated digests against the generated ones for every registered
// generator over a range of ranks (P up to 16) and micro-batch counts.

#include <catch2/catch.hpp>

#include <memory>
#include <numeric>

#include "models/schedule/registry.h"
#include "models/schedule/schedule.h"
#include "models/schedule/schedule_digest.h"

using namespace fathom::models::schedule;

TEST_CASE("schedule digest: counts add up to the units, held stages and live peaks as the schedule's", "[unit]") {
  for (const auto& e : schedule_registry().entries()) {
    for (int P : {2, 4}) {
      const int v = e.name == "interleaved_1f1b" ? 2 : 1;
      const Schedule s = e.make({P, 4 * P, v});
      INFO(e.name << " P" << P);
      const ScheduleDigest d = digest(s);
      CHECK(d.header.name == s.name);
      CHECK(d.header.micro_batches == s.micro_batches);
      CHECK(d.header.per_rank.empty());
      CHECK(d.held() == held_stages(s));
      const std::vector<int> peaks = peak_activations(s);
      for (size_t r = 0; r < s.per_rank.size(); ++r) {
        int64_t units = 0;
        for (const UnitCount& u : d.per_rank[r]) units += u.count;
        CHECK(units == int64_t(s.per_rank[r].size()));
        // The most micro-batches held whole after any forward is schedule::peak_activations.
        int most = 0;
        for (const LiveCounts& c : d.after_forward()[r])
          most = std::max(most, std::accumulate(c.full.begin(), c.full.end(), 0));
        CHECK(most == peaks[r]);
      }
    }
  }
}

TEST_CASE("schedule digest: 1F1B on P ranks runs C forwards and C backwards per rank, in two signatures", "[unit]") {
  const ScheduleDigest d = digest(make_1f1b({4, 10}));
  for (const auto& rank : d.per_rank) {
    REQUIRE(rank.size() == 2);
    CHECK(rank[0].count == 10);
    CHECK(rank[1].count == 10);
  }
}

TEST_CASE("schedule digest: extrapolated digests equal the generated ones for every generator", "[unit]") {
  DigestCache cache;
  int64_t asked = 0;
  for (const auto& e : schedule_registry().entries()) {
    for (int P : {1, 2, 3, 4, 8, 16}) {
      const int v = e.name == "interleaved_1f1b" ? 2 : 1;
      for (int m = 1; m <= 14 * P + 3; ++m) {
        std::shared_ptr<const Schedule> direct;
        try {
          direct = std::make_shared<const Schedule>(e.make({P, m, v}));
        } catch (const std::exception&) {
          continue;  // a count this generator refuses
        }
        INFO(e.name << " P" << P << " m" << m);
        ++asked;
        const ScheduleDigest& cached = cache.at(e.name, P, v, m, [&](int c) {
          return std::make_shared<const Schedule>(e.make({P, c, v}));
        });
        CHECK(same_digest(cached, digest(*direct)));
      }
    }
  }
  // Extrapolation did happen: far fewer digests were folded from generated schedules than were asked for.
  CHECK(cache.generated() < asked);
}

TEST_CASE("schedule digest: extrapolation refuses different shapes and counts off its lattice", "[unit]") {
  const ScheduleDigest a = digest(make_1f1b({4, 16})), b = digest(make_1f1b({4, 18}));
  REQUIRE(extrapolated(a, b, 30));
  CHECK(same_digest(*extrapolated(a, b, 30), digest(make_1f1b({4, 30}))));
  CHECK_FALSE(extrapolated(a, b, 31));                           // not 16 + 2k
  CHECK_FALSE(extrapolated(a, b, 14));                           // below the first
  CHECK_FALSE(extrapolated(a, digest(make_zb1p({4, 18})), 30));  // another generator
}
