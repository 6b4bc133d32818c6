#pragma once
// Decode attention imbalance between the data-parallel attention ranks of a unit (docs/serving.md,
// "Attention imbalance"). Each of R ranks (the unit's GPUs, S10/S11) holds b requests whose contexts
// are independent draws from the distribution of a decoding request's context (mean μ, coefficient of
// variation v); its attention reads the sum S of their contexts. All ranks meet at the next dispatch, so
// the busiest rank sets the step: the factor is E[max_r S_r] / E[S].
//
// Derivation: S has mean bμ and coefficient of variation v/√b. Sums of few long-tailed contexts are
// right-skewed, so S is approximated by a log-normal of the same mean and variance (Fenton-Wilkinson):
// shape s² = ln(1 + v²/b). The maximum of R such draws is e^{μ_S + s·M} with M the maximum of R standard
// normals; taking M at its expected value e_R gives
//     factor = exp(s·e_R − s²/2),   s² = ln(1 + v²/b),
// with e_R from Blom's approximation Φ⁻¹((R − 0.375)/(R + 0.25)) (within ~1% of the exact value for
// R >= 10, 4% at R = 2). The factor is 1 for one rank (by definition) or zero spread, grows with the
// spread and with R, and falls toward 1 as b grows (s shrinks as 1/√b); it is never taken below 1.
// Against a Monte Carlo draw of log-normal contexts (tests/models/attention_imbalance_test.cpp) it reads
// a few per cent low (Jensen: E[e^{sM}] > e^{s·E[M]}; the sum's tail is heavier than a log-normal's).
// Requests are assumed assigned to ranks at random: a scheduler that balances context sums would do
// better, so this is the unbalanced-placement estimate.

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
