#pragma once
// Decode attention imbalance between the data-parallel attention ranks of a unit (docs/serving.md,
// "Attention imbalance"). Each of R ranks (the unit's GPUs, S10/S11) holds b requests whose contexts
// are independent draws from the distribution of a decoding request's context (mean μ, coefficient of
// variation v); its attention reads the sum S of their contexts. All ranks meet at the next dispatch, so
// the busiest rank sets the step: the factor is E[max_r S_r] / E[S].
//
// Derivation: S has mean bμ and standard deviation √b·vμ; for b of more than a handful of requests S
// is close to normal (central limit), and the expected maximum of R independent normals is
// E[S] + sd(S)·e_R with e_R the expected maximum of R standard normals, so
//     factor = 1 + v · e_R / √b .
// e_R uses Blom's approximation Φ⁻¹((R − 0.375)/(R + 0.25)) (within ~1% of the exact value for
// R = 2..1000). It is 1 for one rank or zero spread, grows with the spread and with R, and shrinks as
// 1/√b. The normal approximation ignores the right skew of sums of few long-tailed contexts (it reads
// slightly low for small b; tests/models/attention_imbalance_test.cpp compares it with a Monte Carlo
// draw). Requests are assumed assigned to ranks at random: a scheduler that balances context sums
// would do better, so this is the unbalanced-placement estimate.

#include <cstdint>

#include "models/serving/request_mix.h"

namespace fathom::models::serving {

// Expected maximum of `n` independent standard normals (Blom's approximation; 0 for n <= 1).
double expected_max_standard_normal(int64_t n);

// The factor above; 1 when ranks <= 1, batch < 1 or context_cv <= 0.
double attention_imbalance(double context_cv, int64_t batch_per_rank, int64_t ranks);

// Coefficient of variation of the context of a decoding request seen at a random decode step, from the
// request mix: a request with input I and output O is caught at a uniform point of its output, with
// probability proportional to O (length-biased, O' = log-normal with mean E[O]e^{σ_O²}); its context is
// C = I + U·O', U ~ U(0,1), I independent:
//     E[C] = E[I] + E[O']/2,  Var[C] = E[I]²(e^{σ_I²} − 1) + E[O'²]/3 − E[O']²/4,  E[O'²] = E[O']² e^{σ_O²}.
// E[C] equals the mean KV length per output token (request_mix.h) up to the half-token of discretisation.
double decode_context_cv(const RequestMix& mix);

// Coefficient of variation of a log-normal with shape sigma: √(e^{σ²} − 1).
double lognormal_cv(double sigma);

}  // namespace fathom::models::serving
