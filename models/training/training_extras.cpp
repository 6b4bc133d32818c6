#include "models/training/training_extras.h"

#include <fmt/format.h>

#include <stdexcept>

#include "models/param_counts.h"
#include "models/storage/checkpoint.h"
#include "models/storage/storage_fabric.h"

namespace fathom::models::training {

eplb::ZipfImbalanceSpec read_training_expert_load(const SpecReader& r) {
  eplb::ZipfImbalanceSpec z;
  z.exponent = r.number("zipf_exponent");
  if (z.exponent < 0) r.fail("zipf_exponent", "cannot be negative");
  z.seed = static_cast<uint64_t>(r.at_least("seed", r.integer_or("seed", 1, "fixed seed"), 0));
  r.finish();
  return z;
}

std::vector<double> decoder_layer_imbalance(const ModelArch& arch, const std::vector<double>& per_moe_layer) {
  if (std::ssize(per_moe_layer) != arch.moe_layer_count()) {
    throw std::invalid_argument(fmt::format("decoder_layer_imbalance: {} factors for {} MoE layers",
                                            per_moe_layer.size(), arch.moe_layer_count()));
  }
  std::vector<double> out(static_cast<size_t>(arch.layers), 1.0);
  size_t next = 0;
  for (int64_t l = 0; l < arch.layers; ++l) {
    if (arch.kind_of_layer(l) == LayerKind::moe) out[static_cast<size_t>(l)] = per_moe_layer[next++];
  }
  return out;
}

CheckpointSpec read_checkpoint_spec(const SpecReader& r) {
  CheckpointSpec c;
  c.every_steps = r.at_least("every_steps", r.integer("every_steps"), 1);
  const SpecReader st = r.child("storage");
  c.cluster = hw::read_storage_cluster_spec(st.child("cluster"));
  c.fs = storage::read_filesystem_spec(st.child("filesystem"));
  if (c.fs.replication > c.cluster.storage_nodes) {
    st.child("filesystem").fail("replication", "exceeds the number of storage nodes (replicas sit on distinct nodes)");
  }
  st.finish();
  r.finish();
  return c;
}

Bytes checkpoint_state_bytes(const ModelArch& arch, bool mtp, const TrainingSpec& spec) {
  const ParamCounts p = count_params(arch);
  const double params = double(p.total) + (mtp ? double(p.mtp) : 0.0);
  const double per_param = hw::bytes_per_element(hw::DType::bf16) + hw::bytes_per_element(spec.master_weight_dtype) +
                           2.0 * hw::bytes_per_element(spec.optimizer_moment_dtype);
  return Bytes(params * per_param);
}

CheckpointCost checkpoint_cost(const CheckpointSpec& spec, Bytes state, int64_t writers) {
  CheckpointCost c;
  c.bytes = state;
  c.writers = writers;
  const storage::CheckpointWrite w = storage::checkpoint_write(spec.cluster, spec.fs, state, writers);
  c.time = w.time;
  c.bottleneck = std::string(storage::to_string(w.rate.bottleneck));
  c.amortised_s = c.time.value() / double(spec.every_steps);
  return c;
}

}  // namespace fathom::models::training
