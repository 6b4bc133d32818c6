#pragma once
// A scenario of kind "unit" (docs/unit.md): one prefill or decode engine, or one training chunk, of a
// deployment at a fixed batch — the shape in which SGLang's and DeepSeek's tables benchmark (tokens/s per
// GPU at a stated batch, prompt length, EP size and overlap scheme). Read strictly; every failure is one
// InputError line naming the JSON path.

#include <optional>
#include <string>

#include "hw/calibration.h"
#include "hw/cluster_spec.h"
#include "hw/kernel_time_factors.h"
#include "models/deployment/model_choice.h"
#include "models/deployment/parallelism.h"
#include "models/serving/serving_spec.h"
#include "models/training/training_spec.h"
#include "sim/provenance.h"
#include "sim/scenario_document.h"

namespace fathom::models::unit {

enum class UnitPhase { prefill, decode, training };
std::string_view to_string(UnitPhase p);

// The training chunk: `layers` consecutive MoE layers of one pipeline stage, a forward and a backward
// chunk of one micro-batch each (overlapped as a DualPipe F&B pair, or one after the other).
struct TrainingChunkSpec {
  int64_t layers = 1;
  bool overlapped = true;       // "dualpipe": the F&B pair of V3TR §3.2.1 Figure 4; "none": F then B
  training::TrainingSpec spec;  // sequence length, micro-batch, communication SMs, dtypes, recompute
};

struct UnitScenario {
  std::string name;
  UnitPhase phase = UnitPhase::decode;
  hw::ClusterSpec cluster;
  ModelChoice model;
  ParallelismSpec parallelism;
  // The cluster holds ep_groups = GPUs / parallelism.ep whole EP groups, each an independent replica of
  // the priced engine (or chunk): the step is one group's, the per-GPU rates are every group's.
  int64_t ep_groups = 1;
  std::string calibration_file;
  hw::Calibration calibration;
  hw::KernelTimeFactors kernel_time_factors;  // optional section kernel_time_factors (uncertainty what-ifs)
  // Prefill and decode: the engine (EP = attention DP = the cluster's GPUs), and its batch.
  serving::PrefillSpec prefill;  // unit + tokens_per_gpu
  serving::DecodeSpec decode;    // unit + workspace (prefill's too) + context_cv + batch_per_gpu
  serving::MtpSpec mtp;
  int64_t prompt_tokens = 0;         // prefill: tokens per prompt (computed + cached)
  int64_t cached_prefix_tokens = 0;  // prefill: of each prompt, already in the KV cache
  int64_t context_tokens = 0;        // decode: mean KV length of a request
  double context_sigma = 0;          // decode: log-normal shape of the requests' contexts
  // Expert load: EPLB over a Zipf skew (expert_load.zipf_exponent), or an explicit imbalance.
  std::optional<serving::ExpertLoadSpec> zipf;
  double expert_imbalance = 1;  // explicit (when no zipf)
  TrainingChunkSpec training;
};

UnitScenario read_unit_scenario(const ScenarioDocument& doc, ProvenanceLog& log);

}  // namespace fathom::models::unit
