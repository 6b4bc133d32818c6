#pragma once
// Optional sections of a training scenario (docs/training.md §1):
//  - "expert_load": a Zipf expert-load skew placed by EPLB over one EP group; each MoE layer's
//    after-EPLB max/mean prices that layer, and their mean replaces training.expert_imbalance (the two
//    are exclusive).
//  - "checkpoint": a periodic, blocking checkpoint write to a 3FS-style storage cluster, amortised
//    over `every_steps` steps.

#include <optional>
#include <string>
#include <vector>

#include "hw/storage_spec.h"
#include "models/eplb/zipf_imbalance.h"
#include "models/model_arch.h"
#include "models/storage/filesystem_spec.h"
#include "models/training/training_spec.h"

namespace fathom::models::training {

// Reads the "expert_load" object ({zipf_exponent, seed}); `reader.finish()` is called.
eplb::ZipfImbalanceSpec read_training_expert_load(const SpecReader& reader);

// Per-decoder-layer factors (arch.layers entries) from per-MoE-layer ones (ZipfImbalance's
// *_per_layer order): MoE layers take theirs in order, dense layers 1. Throws std::invalid_argument
// if `per_moe_layer` does not have arch.moe_layer_count() entries.
std::vector<double> decoder_layer_imbalance(const ModelArch& arch, const std::vector<double>& per_moe_layer);

struct CheckpointSpec {
  int64_t every_steps = 0;
  hw::StorageClusterSpec cluster;
  storage::FilesystemSpec fs;
};

// Reads the "checkpoint" object ({every_steps, storage: {cluster, filesystem}}); `reader.finish()` is called.
CheckpointSpec read_checkpoint_spec(const SpecReader& reader);

// Bytes of one checkpoint: every parameter (main model + MTP modules when `mtp`) as a BF16 weight, a
// master weight and two AdamW moments in the spec's dtypes (T26: FP32 master, BF16 moments = 10 B).
Bytes checkpoint_state_bytes(const ModelArch& arch, bool mtp, const TrainingSpec& spec);

struct CheckpointCost {
  Bytes bytes;
  int64_t writers = 0;
  Seconds time;            // one checkpoint (models/storage/checkpoint_write)
  std::string bottleneck;  // the storage resource class that limits the write
  double amortised_s = 0;  // time / every_steps: checkpoints block training
};

CheckpointCost checkpoint_cost(const CheckpointSpec& spec, Bytes state, int64_t writers);

}  // namespace fathom::models::training
