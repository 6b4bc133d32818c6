#include "hw/kernel_family_registry.h"

#include <string>

namespace fathom::hw {

const KernelFamilyRegistry& kernel_family_registry() {
  static const KernelFamilyRegistry registry(
      "kernel family", {
                           {"dense_gemm",
                            "one GEMM m x k x n (DeepGEMM normal); compute efficiency saturates in m",
                            {KernelFamily::dense_gemm, "m"}},
                           {"grouped_gemm_contiguous",
                            "MoE expert GEMMs, tokens concatenated (prefill); saturates in m per group",
                            {KernelFamily::grouped_gemm_contiguous, "m"}},
                           {"grouped_gemm_masked",
                            "MoE expert GEMMs, masked per-expert slots (decode); saturates in m per group",
                            {KernelFamily::grouped_gemm_masked, "m"}},
                           {"mla_decode",
                            "FlashMLA latent-cache decode attention; saturates in the context length seq_kv",
                            {KernelFamily::mla_decode, "seq_kv"}},
                           {"attention_prefill",
                            "causal FlashAttention-style prefill; saturates in the sequence length seq_q",
                            {KernelFamily::attention_prefill, "seq_q"}},
                           {"attention_decode",
                            "GQA/MHA decode attention over a KV cache; saturates in seq_kv (assumed curve)",
                            {KernelFamily::attention_decode, "seq_kv"}},
                           {"elementwise",
                            "norms, activations, RoPE, adds, quantisation: a fraction of HBM bandwidth",
                            {KernelFamily::elementwise, ""}},
                           {"attention_backward",
                            "causal FlashAttention-style backward (dQ, dK, dV); saturates in seq_q (assumed curve)",
                            {KernelFamily::attention_backward, "seq_q"}},
                       });
  return registry;
}

const KernelFamilyTraits& kernel_family_traits(KernelFamily family) {
  return kernel_family_registry().get(to_string(family), "kernel family").make;
}

double shape_value(const KernelWork& w) {
  const std::string_view v = kernel_family_traits(w.family).shape_variable;
  if (v == "m") return static_cast<double>(w.m);
  if (v == "seq_kv") return static_cast<double>(w.seq_kv);
  if (v == "seq_q") return static_cast<double>(w.seq_q);
  return 0.0;
}

}  // namespace fathom::hw
