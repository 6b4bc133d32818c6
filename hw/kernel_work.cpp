#include "hw/kernel_work.h"

#include <array>
#include <stdexcept>
#include <string>
#include <utility>

namespace fathom::hw {
namespace {

constexpr std::array<std::pair<DType, std::string_view>, 5> kDTypes = {
    {{DType::fp8, "fp8"}, {DType::bf16, "bf16"}, {DType::fp16, "fp16"}, {DType::fp32, "fp32"}, {DType::fp4, "fp4"}}};

constexpr std::array<std::pair<KernelFamily, std::string_view>, 8> kFamilies = {{
    {KernelFamily::dense_gemm, "dense_gemm"},
    {KernelFamily::grouped_gemm_contiguous, "grouped_gemm_contiguous"},
    {KernelFamily::grouped_gemm_masked, "grouped_gemm_masked"},
    {KernelFamily::mla_decode, "mla_decode"},
    {KernelFamily::attention_prefill, "attention_prefill"},
    {KernelFamily::attention_decode, "attention_decode"},
    {KernelFamily::elementwise, "elementwise"},
    {KernelFamily::attention_backward, "attention_backward"},
}};

}  // namespace

std::string_view to_string(DType t) {
  for (const auto& [v, name] : kDTypes) {
    if (v == t) return name;
  }
  return "bf16";
}

DType parse_dtype(std::string_view name) {
  for (const auto& [v, n] : kDTypes) {
    if (n == name) return v;
  }
  throw std::invalid_argument("unknown dtype \"" + std::string(name) + "\"; use fp4, fp8, bf16, fp16 or fp32");
}

std::string_view to_string(KernelFamily f) {
  for (const auto& [v, name] : kFamilies) {
    if (v == f) return name;
  }
  return "elementwise";
}

KernelFamily parse_kernel_family(std::string_view name) {
  std::string known;
  for (const auto& [v, n] : kFamilies) {
    if (n == name) return v;
    known += (known.empty() ? "" : ", ") + std::string(n);
  }
  throw std::invalid_argument("unknown kernel family \"" + std::string(name) + "\"; known: " + known);
}

}  // namespace fathom::hw
