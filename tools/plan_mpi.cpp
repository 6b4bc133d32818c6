#include "tools/plan_mpi.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <limits>

#include "sim/error.h"

#ifdef FATHOM_WITH_MPI
#include <mpi.h>
#endif

namespace fathom::tools {
namespace {

// The world size mpirun announces (OpenMPI), 0 when this process was not started by mpirun.
int launched_size() {
  const char* v = std::getenv("OMPI_COMM_WORLD_SIZE");
  return v == nullptr ? 0 : std::atoi(v);
}

}  // namespace

#ifdef FATHOM_WITH_MPI

PlanRanks::PlanRanks() {
  if (launched_size() == 0) return;
  int ready = 0;
  MPI_Initialized(&ready);
  if (ready == 0) {
    MPI_Init(nullptr, nullptr);
    started_ = true;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

PlanRanks::~PlanRanks() {
  if (started_) MPI_Finalize();
}

std::vector<std::string> PlanRanks::gather(const std::string& bytes) const {
  if (size_ == 1) return {bytes};
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    throw InputError(
        fmt::format("fathom plan: {} bytes of results on rank {}: too many for one gather", bytes.size(), rank_));
  }
  const int mine = static_cast<int>(bytes.size());
  std::vector<int> sizes(rank_ == 0 ? size_ : 0), offsets(sizes.size());
  MPI_Gather(&mine, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::string all;
  if (rank_ == 0) {
    long long total = 0;
    for (int r = 0; r < size_; ++r) {
      offsets[size_t(r)] = static_cast<int>(total);
      total += sizes[size_t(r)];
    }
    if (total > std::numeric_limits<int>::max()) throw InputError("fathom plan: the ranks' results exceed 2 GB");
    all.resize(static_cast<size_t>(total));
  }
  MPI_Gatherv(bytes.data(), mine, MPI_BYTE, all.data(), sizes.data(), offsets.data(), MPI_BYTE, 0, MPI_COMM_WORLD);
  std::vector<std::string> out;
  for (int r = 0; r < static_cast<int>(sizes.size()); ++r)
    out.push_back(all.substr(size_t(offsets[size_t(r)]), size_t(sizes[size_t(r)])));
  return out;
}

bool PlanRanks::any(bool mine) const {
  if (size_ == 1) return mine;
  int in = mine ? 1 : 0, out = 0;
  MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return out != 0;
}

#else

PlanRanks::PlanRanks() {
  if (launched_size() > 1) {
    const char* rank = std::getenv("OMPI_COMM_WORLD_RANK");
    if (rank != nullptr && std::atoi(rank) != 0) std::freopen("/dev/null", "w", stderr);  // one line, rank 0's
    throw InputError(
        fmt::format("mpirun -n {}: this fathom was built without MPI (install libopenmpi-dev and "
                    "rebuild, docs/plan.md); run `fathom plan` without mpirun",
                    launched_size()));
  }
}

PlanRanks::~PlanRanks() = default;

std::vector<std::string> PlanRanks::gather(const std::string& bytes) const { return {bytes}; }

bool PlanRanks::any(bool mine) const { return mine; }

#endif

}  // namespace fathom::tools
