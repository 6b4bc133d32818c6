#include "models/schedule/bubble.h"

#include <algorithm>
#include <stdexcept>

#include "models/schedule/registry.h"

namespace fathom::models::schedule {
namespace {

double dualpipe_form(int k, const UnitDurations& d) {
  const double F = d.forward_s, B = d.backward_s, W = d.weight_s, FB = d.forward_backward_s;
  return std::max({k * (FB + F - B), k * (FB + F - 2 * W), k * (FB + B - 3 * W) - F, k * (FB - W) - F, 0.0});
}

}  // namespace

double closed_form_bubble(const Schedule& s, const UnitDurations& d) {
  const int P = s.ranks;
  const double F = d.forward_s, B = d.backward_s, W = d.weight_s;
  const ScheduleTraits* traits = nullptr;
  if (const auto* e = schedule_registry().find(s.name)) traits = &e->make.traits;
  if (!traits) throw std::invalid_argument("closed_form_bubble: no closed form for schedule \"" + s.name + "\"");
  switch (traits->bubble) {
    case BubbleForm::kOneFOneB:
      return (P - 1) * (F + B);  // F, B per chunk
    case BubbleForm::kZeroBubble:
      return (P - 1) * std::max({F, B - W, F + B - 2 * W});
    case BubbleForm::kDualPipe:
      return dualpipe_form(P / 2 - 1, d);
    case BubbleForm::kDualPipeV:
      return dualpipe_form(P - 1, d);
  }
  throw std::logic_error("closed_form_bubble: unhandled BubbleForm");
}

}  // namespace fathom::models::schedule
