#include "calib/trace/trace_shapes.h"

#include <vector>

#include "calib/fit/kernel_shapes.h"

namespace fathom::calib {
namespace {

using Dims = std::vector<int64_t>;

struct GemmShape {
  int64_t m = 0, n = 0, k = 0, groups = 1;
  size_t a_input = 0;  // the input whose dtype is the math dtype
};

const Dims* input(const TraceKernel& k, size_t i) { return i < k.input_dims.size() ? &k.input_dims[i] : nullptr; }

// [m,k] x [k,n] at inputs a and a + 1.
std::optional<GemmShape> mm(const TraceKernel& kernel, size_t a) {
  const Dims *x = input(kernel, a), *w = input(kernel, a + 1);
  if (!x || !w || x->size() != 2 || w->size() != 2 || (*x)[1] != (*w)[0]) return std::nullopt;
  return GemmShape{(*x)[0], (*w)[1], (*x)[1], 1, a};
}

std::optional<GemmShape> bmm(const TraceKernel& kernel, size_t a) {
  const Dims *x = input(kernel, a), *w = input(kernel, a + 1);
  if (!x || !w || x->size() != 3 || w->size() != 3 || (*x)[0] != (*w)[0] || (*x)[2] != (*w)[1]) return std::nullopt;
  return GemmShape{(*x)[1], (*w)[2], (*x)[2], (*x)[0], a};
}

// linear: x [..., k], weight [n, k].
std::optional<GemmShape> linear(const TraceKernel& kernel) {
  const Dims *x = input(kernel, 0), *w = input(kernel, 1);
  if (!x || !w || x->empty() || w->size() != 2 || x->back() != (*w)[1]) return std::nullopt;
  int64_t m = 1;
  for (size_t i = 0; i + 1 < x->size(); ++i) m *= (*x)[i];
  return GemmShape{m, (*w)[0], x->back(), 1, 0};
}

std::optional<GemmShape> gemm_shape(const TraceKernel& k) {
  const std::string& op = k.op_name;
  if (op == "aten::mm" || op == "aten::matmul" || op == "aten::_scaled_mm") return mm(k, 0);
  if (op == "aten::addmm") return mm(k, 1);
  if (op == "aten::bmm") return bmm(k, 0);
  if (op == "aten::baddbmm") return bmm(k, 1);
  if (op == "aten::linear") return linear(k);
  return std::nullopt;
}

}  // namespace

std::optional<hw::DType> torch_dtype(const std::string& type) {
  if (type == "c10::BFloat16") return hw::DType::bf16;
  if (type == "c10::Half") return hw::DType::fp16;
  if (type == "float") return hw::DType::fp32;
  if (type.find("Float8_e4m3") != std::string::npos || type.find("Float8_e5m2") != std::string::npos) {
    return hw::DType::fp8;
  }
  return std::nullopt;
}

std::optional<hw::KernelWork> gemm_work_from_shapes(const TraceKernel& kernel, hw::KernelFamily family) {
  if (!hw::is_gemm_family(family)) return std::nullopt;
  const std::optional<GemmShape> s = gemm_shape(kernel);
  if (!s || s->m <= 0 || s->n <= 0 || s->k <= 0 || s->groups <= 0) return std::nullopt;
  const std::optional<hw::DType> dtype =
      s->a_input < kernel.input_types.size() ? torch_dtype(kernel.input_types[s->a_input]) : std::nullopt;
  if (!dtype) return std::nullopt;
  hw::KernelWork w = fp8_gemm_work(s->m, s->n, s->k);  // FP8 counts; rescaled below for other dtypes
  const double g = static_cast<double>(s->groups), in = hw::bytes_per_element(*dtype);
  const double out = *dtype == hw::DType::fp8 ? 2.0 : in;
  w.family = family;
  w.dtype = *dtype;
  w.groups = s->groups;
  w.flops = Flops(g * w.flops.value());
  w.bytes_read = Bytes(g * in * w.bytes_read.value());
  w.bytes_written = Bytes(g * out / 2.0 * w.bytes_written.value());
  return w;
}

}  // namespace fathom::calib
