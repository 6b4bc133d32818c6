#pragma once
// The processes of `mpirun -n N fathom plan` (OpenMPI; docs/plan.md "Distributed sweeps"). The only file that
// sees MPI is plan_mpi.cpp: built with MPI when CMake finds it (FATHOM_WITH_MPI), else every process is one
// rank of one. MPI starts only when mpirun started this process (OMPI_COMM_WORLD_SIZE in the environment), so
// a plain `fathom plan` never touches it.

#include <string>
#include <vector>

namespace fathom::tools {

// This process's place in the job. Contract: at most one live instance per process (MPI_Init / MPI_Finalize).
class PlanRanks {
 public:
  // Throws InputError when started by mpirun with several ranks but built without MPI (each process would
  // search the whole space and print it).
  PlanRanks();
  ~PlanRanks();
  PlanRanks(const PlanRanks&) = delete;
  PlanRanks& operator=(const PlanRanks&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  // Collective: every rank's `bytes`, in rank order, on rank 0; empty on the others.
  std::vector<std::string> gather(const std::string& bytes) const;
  // Collective: true on every rank when any rank passes true (a rank that failed tells the others).
  bool any(bool mine) const;

 private:
  int rank_ = 0, size_ = 1;
  bool started_ = false;  // this object called MPI_Init
};

}  // namespace fathom::tools
