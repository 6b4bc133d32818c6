#pragma once
// A schedule folded for closed forms (the analytic training step, `fathom plan`): per rank, each distinct
// unit once with the number of times the rank runs it, instead of every unit in program order. Two units are
// the same when their kinds, pass kinds and stages are (micro-batch and phase do not change a unit's time:
// training::UnitPlans keys its plans the same way). A digest is a few dozen entries where the schedule holds
// ranks x ~3 x micro-batches units, so a step priced from it costs the same at 8 or 800 micro-batches.

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "models/schedule/schedule.h"

namespace fathom::models::schedule {

// What identifies a unit's time: {unit kind, first pass kind, first stage, second pass kind or -1, second
// stage or -1}.
using UnitSignature = std::array<int, 5>;
UnitSignature signature_of(const Unit& unit);

struct UnitCount {
  Unit unit;  // the first unit of this signature in program order (a representative)
  int64_t count = 0;
};

// Micro-batch activations a rank holds, per stage: `full` after a forward until its backward (full or
// input-only), `weight_only` after an input-only backward until its W.
struct LiveCounts {
  std::vector<int> full, weight_only;  // per stage
  friend bool operator==(const LiveCounts&, const LiveCounts&) = default;
};

// The part of a digest that does not change with the micro-batch count within a family (extrapolated): shared,
// not copied, by the digests extrapolated from one pair.
struct DigestShape {
  std::vector<std::vector<int>> held;  // held_stages(schedule)
  // Per rank: the stage of the last pass in program order that computes weight gradients (B or W); the
  // rank's first held stage when it has none.
  std::vector<int> last_weight_stage;
  // Per rank, the live counts after each forward (where the activation memory can peak; inside an F&B unit
  // the forward counts first), each distinct one once, in program order of first appearance.
  std::vector<std::vector<LiveCounts>> after_forward;
  // The F&B units of distinct (forward stage, backward stage), first of each in rank then program order.
  std::vector<Unit> forward_backward_units;
};

struct ScheduleDigest {
  Schedule header;                               // the schedule without its units (per_rank empty)
  std::vector<std::vector<UnitCount>> per_rank;  // per rank, by first appearance in program order
  std::shared_ptr<const DigestShape> shape;      // never null

  const std::vector<std::vector<int>>& held() const { return shape->held; }
  const std::vector<int>& last_weight_stage() const { return shape->last_weight_stage; }
  const std::vector<std::vector<LiveCounts>>& after_forward() const { return shape->after_forward; }
  const std::vector<Unit>& forward_backward_units() const { return shape->forward_backward_units; }
};

ScheduleDigest digest(const Schedule& schedule);

// Two digests of one generator and rank count have the same shape when everything but the unit counts and the
// micro-batch count agrees: the same unit signatures in the same order per rank, held stages, last weight
// stages, live states and F&B signatures. `a` and `b` at `a_m` < `b_m` micro-batches of the same shape give the
// digest at `m` = a_m + k (b_m - a_m), k >= 0, with every count moved by k times its change (the steady state
// repeating); nullopt when the shapes differ or `m` is not on that lattice.
std::optional<ScheduleDigest> extrapolated(const ScheduleDigest& a, const ScheduleDigest& b, int m);
bool same_digest(const ScheduleDigest& a, const ScheduleDigest& b);  // same shape, counts and micro-batches

// Digests of the registered generators at many micro-batch counts (a batch ramp, `fathom plan`). A count
// within two steps of its family's base is generated and folded; beyond, it is extrapolated from the family's
// digests at the base and base + step, once the extrapolation to base + 2·step has matched the generated digest
// exactly (otherwise every count of the family is generated). A family is a generator, its ranks P, virtual
// stages and the count's parity: base 2·P (+1 for odd counts) with step 2, or, for a generator that takes only
// multiples of P (interleaved 1F1B), base 2·P with step P. Not thread-safe.
class DigestCache {
 public:
  // `make(m)`: the schedule at m micro-batches (throws as the generator does).
  const ScheduleDigest& at(const std::string& name, int ranks, int virtual_stages, int micro_batches,
                           const std::function<std::shared_ptr<const Schedule>(int)>& make);
  int64_t generated() const { return generated_; }  // digests folded from a generated schedule

 private:
  struct Family {
    bool tried = false, repeats = false;
    int base = 0, step = 0;
    std::optional<ScheduleDigest> first, second;  // at the base and base + step when it repeats
  };
  using Key = std::tuple<std::string, int, int, int>;  // (name, ranks, virtual stages, micro-batches or parity)
  const ScheduleDigest& fold(const Key& key, const std::function<std::shared_ptr<const Schedule>(int)>& make);
  std::map<Key, ScheduleDigest> digests_;
  std::map<Key, Family> families_;
  int64_t generated_ = 0;
};

}  // namespace fathom::models::schedule
