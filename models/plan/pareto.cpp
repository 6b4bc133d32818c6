#include "models/plan/pareto.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace fathom::models::plan {

std::vector<size_t> pareto_front(const std::vector<Objectives>& points) {
  std::vector<size_t> order;
  order.reserve(points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    if (!std::isnan(points[i][0]) && !std::isnan(points[i][1])) order.push_back(i);
  }
  // First objective descending, then the second descending, then the index: a point can only be dominated
  // by one before it in this order.
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (points[a][0] != points[b][0]) return points[a][0] > points[b][0];
    if (points[a][1] != points[b][1]) return points[a][1] > points[b][1];
    return a < b;
  });
  std::vector<size_t> front;
  double best_second = -INFINITY;
  bool any = false;
  for (const size_t i : order) {
    // Every point before i has a first objective >= i's; i survives only if its second beats them all.
    if (!any || points[i][1] > best_second) {
      front.push_back(i);
      best_second = points[i][1];
      any = true;
    }
  }
  return front;
}

}  // namespace fathom::models::plan
