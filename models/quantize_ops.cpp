// NVFP4 casts (model.expert_weights_dtype fp4, inference only): the routed experts' input rows quantised
// to E2M1 with one FP8 E4M3 scale per 16 values and a per-tensor FP32 global scale, the two-level scale of
// NVIDIA's NVFP4 format (hw/kernel_work.h); the same kind of memory-bound pass as an FP8 cast.
//
// FP8 casts of DeepSeek-V3's recipe (T26, V3TR §3.3): activations quantised into 1x128 tiles (one FP32
// scale per 128 elements) before each FP8 GEMM, and in training the casts a GEMM's backward needs: its
// output gradient dY into 1x128 tiles for dgrad, and 128x1 (transposed) copies of X and dY for wgrad,
// whose reduction runs over tokens. Memory-bound data movement: 0 FLOPs.
//
// Each is its own pass. V3TR §3.5.2, "Support for Online Quantization": "we need to read 128 BF16
// activation values (the output of the previous computation) from HBM for quantization, and the
// quantized FP8 values are then written back to HBM, only to be read again for MMA". "Support for
// Transposed GEMM Operations": in the backward "the matrix needs to be read out, dequantized,
// transposed, re-quantized into 128x1 tiles, and stored in HBM".

#include <algorithm>
#include <cmath>

#include "models/op_builders.h"

namespace fathom::models::detail {
namespace {

int64_t tiles(int64_t n) { return (n + kFp8Tile - 1) / kFp8Tile; }

Op cast_op(std::string name, int64_t layer, Pass pass, double rows, int64_t width, double read, double written) {
  Op op;
  op.name = std::move(name);
  op.layer = layer;
  op.pass = pass;
  op.role = OpRole::fp8_quantize;
  op.work.family = hw::KernelFamily::elementwise;
  op.work.dtype = hw::DType::fp8;  // the data it produces
  op.work.bytes_read = Bytes(read);
  op.work.bytes_written = Bytes(written);
  op.work.m = std::llround(rows);
  op.work.n = width;
  return op;
}

}  // namespace

double operand_row_bytes(hw::DType dtype, int64_t width) {
  const double values = double(width) * hw::bytes_per_element(dtype);
  if (dtype == hw::DType::fp4) return values + double(width) / 16.0;  // NVFP4: one FP8 scale per 16 values
  return dtype == hw::DType::fp8 ? values + double(tiles(width)) * 4.0 : values;
}

double column_scale_bytes(int64_t width, int64_t groups, int64_t rows_per_group) {
  return double(width) * double(std::max<int64_t>(1, groups)) * double(tiles(rows_per_group)) * 4.0;
}

bool fp8_gemms(const LayerContext& c) { return c.options.weight_dtype == hw::DType::fp8; }

void add_quantize(const LayerContext& c, std::string name, double rows, int64_t width) {
  if (!fp8_gemms(c)) return;
  c.out.push_back(cast_op(std::move(name), c.layer, Pass::forward, rows, width, rows * double(width) * act_bytes(c),
                          rows * operand_row_bytes(hw::DType::fp8, width)));
}

void add_nvfp4_quantize(const LayerContext& c, std::string name, double rows, int64_t width) {
  // Reads the BF16 rows and the tensor's FP32 global scale; writes E2M1 values (0.5 B) and one FP8 E4M3
  // block scale per 16 values (operand_row_bytes(fp4)).
  Op op = cast_op(std::move(name), c.layer, Pass::forward, rows, width,
                  rows * double(width) * act_bytes(c) + kNvfp4GlobalScaleBytes,
                  rows * operand_row_bytes(hw::DType::fp4, width));
  op.work.dtype = hw::DType::fp4;
  c.out.push_back(std::move(op));
}

void add_expert_quantize(const LayerContext& c, std::string name, double rows, int64_t width, hw::DType expert_dtype) {
  if (expert_dtype == hw::DType::fp4) {
    add_nvfp4_quantize(c, std::move(name), rows, width);
  } else {
    add_quantize(c, std::move(name), rows, width);
  }
}

void add_fp8_backward_casts(const Op& g, double rows, std::vector<Op>& b, std::vector<Op>& w) {
  const hw::KernelWork& f = g.work;
  if (f.dtype != hw::DType::fp8) return;
  const double act = f.bytes_written.value() / (rows * double(f.n));  // bytes per output (and dY) element
  const double dy_fp8 = rows * operand_row_bytes(hw::DType::fp8, f.n);
  if (!g.output_grad_fp8) {
    b.push_back(
        cast_op(g.name + ".dgrad_quant", g.layer, Pass::backward_input, rows, f.n, rows * double(f.n) * act, dy_fp8));
  }
  // dY^T: from the BF16 gradient, or re-quantised from its FP8 1x128 copy when that is all there is.
  const double dy_read = g.output_grad_fp8 ? dy_fp8 : rows * double(f.n) * act;
  w.push_back(cast_op(g.name + ".wgrad_quant_dy", g.layer, Pass::backward_weight, rows, f.n, dy_read,
                      rows * double(f.n) + column_scale_bytes(f.n, f.groups, f.m)));
  if (!g.input_shared) {
    // X^T: the FP8 1x128 copy the forward kept, read, transposed and re-quantised.
    w.push_back(cast_op(g.name + ".wgrad_quant_x", g.layer, Pass::backward_weight, rows, f.k,
                        rows * operand_row_bytes(hw::DType::fp8, f.k),
                        rows * double(f.k) + column_scale_bytes(f.k, f.groups, f.m)));
  }
}

}  // namespace fathom::models::detail
