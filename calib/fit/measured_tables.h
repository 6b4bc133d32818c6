#pragma once
// Reading a measured-kernel file (scenarios/calibration/<gpu>-measured.json, written on a GPU by
// calib/kernels' fathom-calib-runner; docs/calibration-gpu.md) into the CalibrationRows of the fit.

#include <filesystem>

#include "calib/fit/calibration_row.h"
#include "hw/gpu_spec.h"

namespace fathom::calib {

// Contract: the file must say "format": "fathom-measured-kernels/1" and "provenance": "measured"
// (else InputError naming the file). Every record with status "measured" and a hw::KernelFamily
// name becomes one row, its work taken from the record (flops, bytes_read, bytes_written and the
// shape fields); records of other families (collectives) and records not measured are skipped.
// Rows of one kernel form one table for the hold-out rule (index counted per kernel). Rows that are
// measured but not fitted are kept, excluded with the reason: BF16 dense GEMMs (dense_gemm is fitted
// to FP8, DeepSeek-V3's GEMM dtype) and elementwise copies/permutes (that family keeps its assumed
// curve; the rows show its error). Appends the file name to out.tables. With `gpu`, the file's
// device.name must name the same GPU model (hw::gpu_model_key): another GPU's timings are refused.
// Shape fields must be whole numbers from 0 to 2^31.
void read_measured_table(const std::filesystem::path& file, CalibrationInputs& out, const hw::GpuSpec* gpu = nullptr);

}  // namespace fathom::calib
