// Per-core rate of the two kernels of a GraySort task (docs/storage.md, "Task jobs"): partitioning and
// sorting 100-byte records (10-byte key, 90-byte payload, as gensort writes them) on one core of this
// machine. A `measured` reference point for the scenario's compute rates (storage.task_job.compute_rates),
// which stay `assumed`: DuckDB's own sort (radix sort on normalized keys) does this kernel at least as
// well, so these rates bound its kernel rate from below; a smallpond task also decodes and encodes Arrow /
// Parquet (separate operations in the scenario), runs many threads per task and sorts larger inputs.
//
//   build/bench/record_sort_bench [records (default 1,048,576)] [partitions (default 8,192)]
//
// partition: a histogram of the key's leading bits, then a scatter of every record into its partition
//            (two passes over the records; the rate is input bytes per second).
// sort:      normalized keys (the key's first 8 bytes big-endian, the last 2, the row index) sorted with
//            std::sort, then the records gathered in order (input bytes per second).

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr size_t kRecord = 100;
constexpr size_t kKey = 10;

uint64_t big_endian_prefix(const unsigned char* key) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | key[i];
  return v;
}

struct SortKey {
  uint64_t prefix;
  uint16_t suffix;
  uint32_t row;
  bool operator<(const SortKey& o) const { return prefix != o.prefix ? prefix < o.prefix : suffix < o.suffix; }
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Returns seconds; `out` receives the records grouped by partition.
double partition(const std::vector<unsigned char>& in, std::vector<unsigned char>& out, size_t parts) {
  const size_t n = in.size() / kRecord;
  int bits = 0;
  while ((size_t{1} << bits) < parts) ++bits;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<size_t> start(parts + 1, 0);
  for (size_t i = 0; i < n; ++i) ++start[(big_endian_prefix(&in[i * kRecord]) >> (64 - bits)) + 1];
  for (size_t p = 0; p < parts; ++p) start[p + 1] += start[p];
  for (size_t i = 0; i < n; ++i) {
    const size_t p = big_endian_prefix(&in[i * kRecord]) >> (64 - bits);
    std::memcpy(&out[start[p]++ * kRecord], &in[i * kRecord], kRecord);
  }
  return seconds_since(t0);
}

double sort_records(const std::vector<unsigned char>& in, std::vector<unsigned char>& out) {
  const size_t n = in.size() / kRecord;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<SortKey> keys(n);
  for (size_t i = 0; i < n; ++i) {
    const unsigned char* k = &in[i * kRecord];
    keys[i] = {big_endian_prefix(k), static_cast<uint16_t>((k[8] << 8) | k[9]), static_cast<uint32_t>(i)};
  }
  std::sort(keys.begin(), keys.end());
  for (size_t i = 0; i < n; ++i) std::memcpy(&out[i * kRecord], &in[size_t{keys[i].row} * kRecord], kRecord);
  return seconds_since(t0);
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : size_t{1} << 20;
  const size_t parts = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 8192;
  if (n == 0 || n > (size_t{1} << 31) || parts == 0) {
    fmt::print(stderr, "record_sort_bench: records in 1..2^31, partitions >= 1\n");
    return 2;
  }
  std::vector<unsigned char> in(n * kRecord), out(n * kRecord);
  std::mt19937_64 rng(42);
  for (size_t i = 0; i < in.size(); i += 8) {
    const uint64_t v = rng();
    std::memcpy(&in[i], &v, std::min<size_t>(8, in.size() - i));
  }
  double best_partition = 1e30, best_sort = 1e30;
  for (int rep = 0; rep < 3; ++rep) {
    best_partition = std::min(best_partition, partition(in, out, parts));
    best_sort = std::min(best_sort, sort_records(in, out));
  }
  // The sorted output must be in key order (a check that the work was done).
  for (size_t i = 1; i < n; ++i) {
    if (std::memcmp(&out[(i - 1) * kRecord], &out[i * kRecord], kKey) > 0) {
      fmt::print(stderr, "record_sort_bench: output not sorted at record {}\n", i);
      return 1;
    }
  }
  const double bytes = static_cast<double>(n * kRecord);
  fmt::print("record_sort_bench: {} records of {} B ({:.0f} MB), one core, best of 3\n", n, kRecord, bytes / 1e6);
  fmt::print("  partition into {:>6} by key prefix  {:8.3f} s  {:7.0f} MB/s per core\n", parts, best_partition,
             bytes / best_partition / 1e6);
  fmt::print("  sort by the 10-byte key            {:8.3f} s  {:7.0f} MB/s per core\n", best_sort,
             bytes / best_sort / 1e6);
  return 0;
}
