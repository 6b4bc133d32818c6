// MLA decode benchmark: fathom's kernel (mla_decode.cu) over a batch x context grid at DeepSeek-V3's
// shape (128 heads, 576/512 dims, 64-token pages in a shuffled page table). Checked against the CPU
// reference (mla_reference.h) first on small ragged cases that cover masking, splits and the combine,
// then on sampled heads of every timed shape; a shape whose check fails is recorded, never timed.

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "calib/kernels/bench_common.cuh"
#include "calib/kernels/mla_decode.cuh"
#include "calib/kernels/mla_reference.h"

namespace fathom::calib::gpu {
namespace {

constexpr int kHeads = 128;
const float kScale = 1.0f / std::sqrt(192.0f);  // DeepSeek-V3: 1 / sqrt(qk_nope + qk_rope head dims)

// A batch of sequences on the device: inputs, page table, output and split workspace.
struct DecodeCase {
  mla::DecodeShape shape;
  std::vector<int32_t> lens, pages;  // pages: [batch][max_pages], shuffled physical pages
  DeviceBuffer q, kv, page_table, seq_lens, out, workspace;
  MlaDecodeParams params;
};

void build(DecodeCase& c, const std::vector<int32_t>& lens, int splits, cudaStream_t stream) {
  const int batch = static_cast<int>(lens.size());
  const int max_len = *std::max_element(lens.begin(), lens.end());
  const int max_pages = std::max(1, (max_len + mla::kPageTokens - 1) / mla::kPageTokens);
  c.shape = {batch, kHeads, max_pages, kScale};
  c.lens = lens;
  int total_pages = 0;
  for (const int l : lens) total_pages += (l + mla::kPageTokens - 1) / mla::kPageTokens;
  std::vector<int32_t> perm(std::max(total_pages, 1));
  std::iota(perm.begin(), perm.end(), 0);
  std::shuffle(perm.begin(), perm.end(), std::mt19937(42));
  c.pages.assign(static_cast<size_t>(batch) * max_pages, 0);
  int next = 0;
  for (int b = 0; b < batch; ++b) {
    for (int j = 0; j < (lens[b] + mla::kPageTokens - 1) / mla::kPageTokens; ++j)
      c.pages[b * max_pages + j] = perm[next++];
  }
  const size_t q_elems = static_cast<size_t>(batch) * kHeads * mla::kQkDim;
  const size_t kv_elems = static_cast<size_t>(perm.size()) * mla::kPageTokens * mla::kQkDim;
  c.q = DeviceBuffer(2 * q_elems);
  c.kv = DeviceBuffer(2 * kv_elems);
  c.page_table = DeviceBuffer(4 * c.pages.size());
  c.seq_lens = DeviceBuffer(4 * lens.size());
  c.out = DeviceBuffer(2 * static_cast<size_t>(batch) * kHeads * mla::kVDim);
  c.workspace = DeviceBuffer(mla_decode_workspace_bytes(batch, kHeads, splits));
  fill_random(c.q.get(), q_elems, 2, 11, stream);
  fill_random(c.kv.get(), kv_elems, 2, 12, stream);
  FATHOM_CUDA_CHECK(
      cudaMemcpyAsync(c.page_table.get(), c.pages.data(), 4 * c.pages.size(), cudaMemcpyHostToDevice, stream));
  FATHOM_CUDA_CHECK(cudaMemcpyAsync(c.seq_lens.get(), lens.data(), 4 * lens.size(), cudaMemcpyHostToDevice, stream));
  MlaDecodeParams& p = c.params;
  p.q = c.q.get<const __nv_bfloat16>();
  p.kv = c.kv.get<const __nv_bfloat16>();
  p.pages = c.page_table.get<const int32_t>();
  p.seq_lens = c.seq_lens.get<const int32_t>();
  p.out = c.out.get<__nv_bfloat16>();
  p.o_partial = c.workspace.get<float>();
  p.lse_partial = p.o_partial + static_cast<size_t>(batch) * splits * kHeads * mla::kVDim;
  p.batch = batch, p.heads = kHeads, p.max_pages = max_pages, p.splits = splits, p.softmax_scale = kScale;
}

// Runs the kernel once and compares the listed sequences and heads with the CPU reference. Only the
// pages of the checked sequences are copied back (the cache can be gigabytes).
mla::CheckResult run_and_check(DecodeCase& c, const std::vector<int>& seqs, const std::vector<int>& heads,
                               cudaStream_t stream) {
  mla::CheckResult bad;
  if (mla_decode(c.params, stream) != cudaSuccess || cudaStreamSynchronize(stream) != cudaSuccess) return bad;
  const size_t per_page = static_cast<size_t>(mla::kPageTokens) * mla::kQkDim;
  std::vector<uint16_t> q(c.q.bytes() / 2), out(c.out.bytes() / 2), kv;
  std::vector<int32_t> pages(c.pages.size(), 0);
  FATHOM_CUDA_CHECK(cudaMemcpy(q.data(), c.q.get(), c.q.bytes(), cudaMemcpyDeviceToHost));
  FATHOM_CUDA_CHECK(cudaMemcpy(out.data(), c.out.get(), c.out.bytes(), cudaMemcpyDeviceToHost));
  for (const int b : seqs) {  // compact copy: remap each used page to a new host page
    for (int j = 0; j < (c.lens[b] + mla::kPageTokens - 1) / mla::kPageTokens; ++j) {
      const size_t slot = kv.size() / per_page;
      kv.resize(kv.size() + per_page);
      const size_t src = static_cast<size_t>(c.pages[b * c.shape.max_pages + j]) * per_page;
      FATHOM_CUDA_CHECK(
          cudaMemcpy(kv.data() + slot * per_page, c.kv.get<uint16_t>() + src, 2 * per_page, cudaMemcpyDeviceToHost));
      pages[b * c.shape.max_pages + j] = static_cast<int32_t>(slot);
    }
  }
  return mla::check_decode(c.shape, q.data(), kv.data(), pages.data(), c.lens.data(), out.data(), seqs, heads);
}

std::string describe(const mla::CheckResult& r) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "check vs CPU reference: %s, %lld values, max abs err %.3g, max rel err %.3g",
                r.passed ? "passed" : "FAILED", static_cast<long long>(r.values), r.max_abs_error, r.max_rel_error);
  return buf;
}

// The ragged correctness cases: one token, a partial page, lengths across tiles and pages, forced
// split counts (1, several, more splits than tiles) to exercise the combine.
bool initial_check(int sm_count, cudaStream_t stream, std::string& note) {
  struct Case {
    std::vector<int32_t> lens;
    int splits;  // 0: the automatic choice
  };
  const Case cases[] = {{{1}, 0},   {{65}, 0}, {{1, 100, 2049}, 0}, {{333, 4096}, 1},
                        {{777}, 7}, {{40}, 5}, {{5000, 64, 31}, 0}};
  std::vector<int> all_heads(kHeads);
  std::iota(all_heads.begin(), all_heads.end(), 0);
  for (const Case& k : cases) {
    const int max_len = *std::max_element(k.lens.begin(), k.lens.end());
    const int batch = static_cast<int>(k.lens.size());
    const int splits = k.splits ? k.splits : mla_decode_splits(batch, kHeads, max_len, sm_count);
    DecodeCase c;
    build(c, k.lens, splits, stream);
    std::vector<int> seqs(batch);
    std::iota(seqs.begin(), seqs.end(), 0);
    const mla::CheckResult r = run_and_check(c, seqs, all_heads, stream);
    note = describe(r) + " (ragged cases)";
    if (!r.passed) {
      note += "; first failing case: max_len " + std::to_string(max_len) + ", splits " + std::to_string(splits);
      return false;
    }
  }
  return true;
}

}  // namespace

void run_mla_decode(BenchContext& ctx) {
  cudaStream_t stream = ctx.timer.stream();
  int sm_count = 0;
  FATHOM_CUDA_CHECK(cudaDeviceGetAttribute(&sm_count, cudaDevAttrMultiProcessorCount, ctx.device));
  std::string initial_note;
  const bool initial_ok = initial_check(sm_count, stream, initial_note);
  std::fprintf(stderr, "mla_decode: %s\n", initial_note.c_str());
  for (int batch = 1; batch <= 512; batch *= 2) {
    for (int kv = 512; kv <= 131072; kv *= 2) {
      if (static_cast<int64_t>(batch) * kv > (int64_t{8} << 20)) continue;
      if (ctx.options.quick && !((batch == 1 || batch == 64) && (kv == 1024 || kv == 8192))) continue;
      measured::Measurement r;
      r.family = "mla_decode";
      r.kernel = "fathom_mla_decode_mma_sync";
      r.dtype = "bf16";
      r.batch = batch, r.heads = kHeads, r.seq_q = 1, r.seq_kv = kv;
      measured::set_mla_decode_work(r);
      if (!initial_ok) {
        r.status = "failed check";
        r.note = initial_note;
        ctx.out.push_back(r);
        continue;
      }
      const int splits = mla_decode_splits(batch, kHeads, kv, sm_count);
      DecodeCase c;
      build(c, std::vector<int32_t>(batch, kv), splits, stream);
      const mla::CheckResult check = run_and_check(c, {batch - 1}, {0, 63, 64, kHeads - 1}, stream);
      r.note = describe(check) + "; splits " + std::to_string(splits);
      if (!check.passed) {
        r.status = "failed check";
      } else {
        ctx.timer.time(
            ctx.options, [&](cudaStream_t s) { mla_decode(c.params, s); }, r);
      }
      ctx.out.push_back(r);
    }
    std::fprintf(stderr, "mla_decode batch=%d done\n", batch);
  }
}

}  // namespace fathom::calib::gpu
