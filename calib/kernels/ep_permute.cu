// EP token permute / unpermute: the local packing around DeepEP-style dispatch and combine
// (github.com/deepseek-ai/DeepEP): dispatch groups each token's FP8 row by routed expert (histogram,
// scan, scatter); combine gathers the BF16 expert outputs back and sums them with the router weights.
// DeepSeek-V3 shape: hidden 7168, top-8 of 256 experts. Checked against a CPU reference first.

#include <cuda_bf16.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "calib/kernels/bench_common.cuh"

namespace fathom::calib::gpu {
namespace {

constexpr int kHidden = 7168, kTopk = 8, kExperts = 256, kThreads = 256;

__global__ void count_kernel(const int32_t* ids, int n, int32_t* counts) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) atomicAdd(&counts[ids[i]], 1);
}

// One block of kExperts threads: exclusive scan of the counts into offsets; cursors start at offsets.
__global__ void scan_kernel(const int32_t* counts, int32_t* offsets, int32_t* cursors) {
  __shared__ int32_t s[kExperts];
  const int e = threadIdx.x;
  s[e] = counts[e];
  __syncthreads();
  for (int d = 1; d < kExperts; d *= 2) {
    const int32_t v = e >= d ? s[e - d] : 0;
    __syncthreads();
    s[e] += v;
    __syncthreads();
  }
  offsets[e] = cursors[e] = s[e] - counts[e];
}

// One block per (token, slot): claims a row of its expert's range and copies the token's FP8 row.
__global__ void scatter_kernel(const uint4* x, const int32_t* ids, int32_t* cursors, int32_t* pos, uint4* packed) {
  __shared__ int32_t row;
  const int i = blockIdx.x;
  if (threadIdx.x == 0) pos[i] = row = atomicAdd(&cursors[ids[i]], 1);
  __syncthreads();
  constexpr int kVecs = kHidden / 16;
  for (int c = threadIdx.x; c < kVecs; c += blockDim.x)
    packed[static_cast<size_t>(row) * kVecs + c] = x[static_cast<size_t>(i / kTopk) * kVecs + c];
}

// One block per token: out = sum_j w_j * expert_out[pos_j] in FP32, written as BF16.
__global__ void combine_kernel(const uint4* expert_out, const int32_t* pos, const float* w, uint4* out) {
  const int t = blockIdx.x;
  constexpr int kVecs = kHidden / 8;
  for (int c = threadIdx.x; c < kVecs; c += blockDim.x) {
    float acc[8] = {};
#pragma unroll
    for (int j = 0; j < kTopk; ++j) {
      const uint4 v = expert_out[static_cast<size_t>(pos[t * kTopk + j]) * kVecs + c];
      const auto* h = reinterpret_cast<const __nv_bfloat162*>(&v);
      const float wj = w[t * kTopk + j];
#pragma unroll
      for (int q = 0; q < 4; ++q) {
        const float2 f = __bfloat1622float2(h[q]);
        acc[2 * q] += wj * f.x, acc[2 * q + 1] += wj * f.y;
      }
    }
    uint4 o;
    auto* oh = reinterpret_cast<__nv_bfloat162*>(&o);
#pragma unroll
    for (int q = 0; q < 4; ++q) oh[q] = __floats2bfloat162_rn(acc[2 * q], acc[2 * q + 1]);
    out[static_cast<size_t>(t) * kVecs + c] = o;
  }
}

struct Setup {
  int tokens;
  std::vector<int32_t> ids;
  std::vector<float> w;
  DeviceBuffer x, d_ids, counts, offsets, cursors, pos, packed, w_dev, expert_out, out;
};

void build(Setup& s, int tokens, cudaStream_t stream) {
  s.tokens = tokens;
  std::mt19937 rng(7);
  s.ids.resize(static_cast<size_t>(tokens) * kTopk);
  s.w.resize(s.ids.size());
  for (int t = 0; t < tokens; ++t) {  // top-8 distinct experts per token, weights summing to 1
    std::vector<int> e(kExperts);
    for (int i = 0; i < kExperts; ++i) e[i] = i;
    for (int j = 0; j < kTopk; ++j) {
      std::swap(e[j], e[j + rng() % (kExperts - j)]);
      s.ids[t * kTopk + j] = e[j];
      s.w[t * kTopk + j] = 1.0f / kTopk;
    }
  }
  const size_t slots = s.ids.size();
  s.x = DeviceBuffer(static_cast<size_t>(tokens) * kHidden);
  s.d_ids = DeviceBuffer(4 * slots);
  s.counts = DeviceBuffer(4 * kExperts), s.offsets = DeviceBuffer(4 * kExperts), s.cursors = DeviceBuffer(4 * kExperts);
  s.pos = DeviceBuffer(4 * slots);
  s.packed = DeviceBuffer(slots * kHidden);
  s.w_dev = DeviceBuffer(4 * slots);
  s.expert_out = DeviceBuffer(2 * slots * kHidden);
  s.out = DeviceBuffer(2 * static_cast<size_t>(tokens) * kHidden);
  fill_random(s.x.get(), s.x.bytes(), 1, 21, stream);
  fill_random(s.expert_out.get(), slots * kHidden, 2, 22, stream);
  FATHOM_CUDA_CHECK(cudaMemcpyAsync(s.d_ids.get(), s.ids.data(), 4 * slots, cudaMemcpyHostToDevice, stream));
  FATHOM_CUDA_CHECK(cudaMemcpyAsync(s.w_dev.get(), s.w.data(), 4 * slots, cudaMemcpyHostToDevice, stream));
}

void permute(const Setup& s, cudaStream_t stream) {
  const int slots = s.tokens * kTopk;
  cudaMemsetAsync(s.counts.get(), 0, 4 * kExperts, stream);
  count_kernel<<<(slots + kThreads - 1) / kThreads, kThreads, 0, stream>>>(s.d_ids.get<int32_t>(), slots,
                                                                           s.counts.get<int32_t>());
  scan_kernel<<<1, kExperts, 0, stream>>>(s.counts.get<int32_t>(), s.offsets.get<int32_t>(), s.cursors.get<int32_t>());
  scatter_kernel<<<slots, kThreads, 0, stream>>>(s.x.get<uint4>(), s.d_ids.get<int32_t>(), s.cursors.get<int32_t>(),
                                                 s.pos.get<int32_t>(), s.packed.get<uint4>());
}

void combine(const Setup& s, cudaStream_t stream) {
  combine_kernel<<<s.tokens, kThreads, 0, stream>>>(s.expert_out.get<uint4>(), s.pos.get<int32_t>(),
                                                    s.w_dev.get<float>(), s.out.get<uint4>());
}

// Every slot's packed row equals its token's row and lies in its expert's range; combine output
// equals the weighted sum computed on the host (to BF16 rounding).
std::string check(int tokens, cudaStream_t stream) {
  Setup s;
  build(s, tokens, stream);
  permute(s, stream);
  combine(s, stream);
  FATHOM_CUDA_CHECK(cudaStreamSynchronize(stream));
  const size_t slots = s.ids.size();
  std::vector<uint8_t> x(s.x.bytes()), packed(s.packed.bytes());
  std::vector<uint16_t> eo(slots * kHidden), out(static_cast<size_t>(tokens) * kHidden);
  std::vector<int32_t> pos(slots), offsets(kExperts), counts(kExperts);
  FATHOM_CUDA_CHECK(cudaMemcpy(x.data(), s.x.get(), x.size(), cudaMemcpyDeviceToHost));
  FATHOM_CUDA_CHECK(cudaMemcpy(packed.data(), s.packed.get(), packed.size(), cudaMemcpyDeviceToHost));
  FATHOM_CUDA_CHECK(cudaMemcpy(eo.data(), s.expert_out.get(), 2 * eo.size(), cudaMemcpyDeviceToHost));
  FATHOM_CUDA_CHECK(cudaMemcpy(out.data(), s.out.get(), 2 * out.size(), cudaMemcpyDeviceToHost));
  FATHOM_CUDA_CHECK(cudaMemcpy(pos.data(), s.pos.get(), 4 * slots, cudaMemcpyDeviceToHost));
  FATHOM_CUDA_CHECK(cudaMemcpy(offsets.data(), s.offsets.get(), 4 * kExperts, cudaMemcpyDeviceToHost));
  FATHOM_CUDA_CHECK(cudaMemcpy(counts.data(), s.counts.get(), 4 * kExperts, cudaMemcpyDeviceToHost));
  auto bf = [](uint16_t h) {
    const uint32_t b = static_cast<uint32_t>(h) << 16;
    float f;
    std::memcpy(&f, &b, 4);
    return f;
  };
  for (size_t i = 0; i < slots; ++i) {
    const int e = s.ids[i], p = pos[i];
    if (p < offsets[e] || p >= offsets[e] + counts[e]) return "permute: slot outside its expert's range";
    if (std::memcmp(&packed[static_cast<size_t>(p) * kHidden], &x[i / kTopk * kHidden], kHidden) != 0) {
      return "permute: packed row differs from the token row";
    }
  }
  for (int t = 0; t < tokens; ++t) {
    for (int c = 0; c < kHidden; ++c) {
      double ref = 0;
      for (int j = 0; j < kTopk; ++j)
        ref += s.w[t * kTopk + j] * bf(eo[static_cast<size_t>(pos[t * kTopk + j]) * kHidden + c]);
      if (std::fabs(bf(out[static_cast<size_t>(t) * kHidden + c]) - ref) > 1e-2 * std::fabs(ref) + 1e-3) {
        return "combine: output differs from the weighted sum";
      }
    }
  }
  return "";
}

}  // namespace

void run_ep_permute(BenchContext& ctx) {
  cudaStream_t stream = ctx.timer.stream();
  const std::string failure = check(300, stream);
  std::fprintf(stderr, "ep_permute: check %s\n", failure.empty() ? "passed" : failure.c_str());
  for (const int tokens : {128, 512, 1024, 4096, 16384}) {
    if (ctx.options.quick && tokens != 4096) continue;
    Setup s;
    if (failure.empty()) build(s, tokens, stream);
    for (const bool dispatch : {true, false}) {
      measured::Measurement r;
      r.family = "elementwise";
      r.kernel = dispatch ? "fathom_ep_permute" : "fathom_ep_unpermute";
      r.dtype = dispatch ? "fp8" : "bf16";
      r.m = tokens, r.n = kHidden, r.k = kTopk, r.groups = kExperts;
      const double slots = double(tokens) * kTopk, row = dispatch ? kHidden : 2.0 * kHidden;
      r.bytes_read = dispatch ? tokens * row + slots * 4 : slots * row + slots * 8;
      r.bytes_written = dispatch ? slots * row + slots * 4 : tokens * row;
      r.note = "m = tokens, n = hidden, k = top-k, groups = experts";
      if (!failure.empty()) {
        r.status = "failed check";
        r.note += "; " + failure;
      } else {
        ctx.timer.time(
            ctx.options, [&](cudaStream_t st) { dispatch ? permute(s, st) : combine(s, st); }, r);
      }
      ctx.out.push_back(r);
    }
  }
}

}  // namespace fathom::calib::gpu
