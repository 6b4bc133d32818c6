#pragma once
// The Pareto front of points with two objectives, both to maximise (negate an objective to minimise it).
// Contract: a point is kept iff no other point is at least as good in both objectives and better in one;
// of identical points only the first (lowest index) is kept. The result lists the kept indices by the
// first objective, descending (so the second ascends). O(n log n); NaN objectives are never kept.

#include <array>
#include <cstddef>
#include <vector>

namespace fathom::models::plan {

using Objectives = std::array<double, 2>;

std::vector<size_t> pareto_front(const std::vector<Objectives>& points);

}  // namespace fathom::models::plan
