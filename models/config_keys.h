#pragma once
// What fathom does with the keys of a Hugging Face config it does not price: after an architecture
// builder has read the keys it prices, every other top-level key must be on a documented allow-list
// (keys that change no shape, FLOP or byte: token ids, norm epsilon, RoPE frequencies, training loss
// coefficients) or hold the one value fathom assumes (hidden_act "silu", no biases, no dropout, no
// sliding window). Anything else is one InputError line "<file>: <key>: <what>", never ignored.
// The lists are in docs/models.md, "Config keys".

#include "sim/spec_reader.h"

namespace fathom::models {

// Throws InputError naming the first key that is neither read by the builder, cost-neutral, nor at
// its assumed value.
void check_unread_keys(const SpecReader& config);

}  // namespace fathom::models
