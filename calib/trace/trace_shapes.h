#pragma once
// The KernelWork of a traced kernel from the shapes its operator recorded (record_shapes=True): the
// GEMM operators of PyTorch, whose "Input Dims" give m, n and k. Other operators' kernels have no
// work here (their time is still totalled and compared, only not fitted).
//
// Operators and their inputs ("Input Dims"):
//   aten::mm [m,k] [k,n];  aten::addmm [bias] [m,k] [k,n];  aten::_scaled_mm [m,k] [k,n] ...;
//   aten::bmm / aten::baddbmm [b,m,k] [b,k,n] (groups = b);  aten::linear [..., k] [n, k] [bias]
//   (m = the product of the leading dims);  aten::matmul with 2-D inputs as mm.
// FLOPs 2·m·n·k per group; bytes read (m·k + k·n) per group at the input dtype, written m·n at the
// output dtype (BF16 for FP8 inputs, as fp8_gemm_work counts; else the input dtype).

#include <optional>
#include <string>

#include "calib/trace/kineto_trace.h"
#include "hw/kernel_work.h"

namespace fathom::calib {

// "c10::BFloat16" -> bf16, "c10::Half" -> fp16, "float" -> fp32, "c10::Float8_e4m3fn" (and other
// float8 spellings) -> fp8; none for other types (integers, double, "").
std::optional<hw::DType> torch_dtype(const std::string& type);

// The GEMM work of `kernel` priced as `family` (a GEMM family), or none when its operator is not one
// of the above or its dims do not fit it.
std::optional<hw::KernelWork> gemm_work_from_shapes(const TraceKernel& kernel, hw::KernelFamily family);

}  // namespace fathom::calib
