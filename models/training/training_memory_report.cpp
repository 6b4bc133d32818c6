#include "models/training/training_memory_report.h"

#include <fmt/format.h>

#include <string>
#include <utility>
#include <vector>

#include "models/deployment/memory_report.h"

namespace fathom::models::training {
namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

std::vector<std::pair<std::string, double>> parts_of(const RankMemory& r) {
  return {{"parameters", r.parameters_bytes},   {"FP8 weights", r.fp8_weights_bytes},
          {"gradients", r.gradients_bytes},     {"optimizer", r.optimizer_bytes},
          {"activations", r.activations_bytes}, {"DeepEP buffers", r.deepep_buffers_bytes},
          {"workspace", r.workspace_bytes}};
}

}  // namespace

Report training_memory_report(const TrainingScenario& s, const TrainingMemory& m, const ProvenanceLog& log,
                              const nlohmann::json& scenario) {
  const RankMemory& w = m.per_rank.at(static_cast<size_t>(m.worst_rank));
  Report rep;
  rep.kind = "memory";
  rep.title = s.name;
  nlohmann::json per_gpu = {{"hbm_capacity_bytes", m.hbm_bytes}};
  for (const auto& [key, value] :
       {std::pair{"parameters_bytes", w.parameters_bytes}, std::pair{"fp8_weights_bytes", w.fp8_weights_bytes},
        std::pair{"gradients_bytes", w.gradients_bytes}, std::pair{"optimizer_bytes", w.optimizer_bytes},
        std::pair{"activations_bytes", w.activations_bytes}, std::pair{"deepep_buffers_bytes", w.deepep_buffers_bytes},
        std::pair{"workspace_bytes", w.workspace_bytes}, std::pair{"total_bytes", w.total_bytes}}) {
    per_gpu[key] = value;
  }
  nlohmann::json ranks = nlohmann::json::array();
  for (const RankMemory& r : m.per_rank) {
    ranks.push_back({{"rank", r.rank},
                     {"total_bytes", r.total_bytes},
                     {"activations_bytes", r.activations_bytes},
                     {"activation_micro_batches", r.activation_micro_batches}});
  }
  const std::string unit = fmt::format("rank {}", m.worst_rank);
  rep.data = {
      {"kind", "memory"},
      {"source_kind", "training"},
      {"name", s.name},
      {"gpu", s.cluster.node.gpu.name},
      {"gpus", s.cluster.total_gpus()},
      {"fits", m.fits},
      {"headroom_bytes", m.headroom_bytes},
      {"headroom_fraction", m.hbm_bytes > 0 ? m.headroom_bytes / m.hbm_bytes : 0.0},
      {"worst_rank", m.worst_rank},
      {"per_gpu", per_gpu},
      {"per_rank", ranks},
      {"parts", memory_part_rows(unit, parts_of(w), m.hbm_bytes)},
      {"assumptions", assumptions_json(log)},
      {"scenario", scenario},
  };
  rep.lines = {fmt::format("{} x {} ({} GPUs of {}); pipeline ranks: {}", s.cluster.nodes, s.cluster.node.name,
                           s.cluster.total_gpus(), s.cluster.node.gpu.name, m.per_rank.size()),
               fmt::format("Worst pipeline rank {}: {:.1f} of {:.1f} GiB, {}: headroom {:.2f} GiB (activations an "
                           "estimate at the peak of {} live micro-batches).",
                           m.worst_rank, w.total_bytes / kGiB, m.hbm_bytes / kGiB, m.fits ? "FITS" : "DOES NOT FIT",
                           m.headroom_bytes / kGiB, w.activation_micro_batches)};
  rep.metrics = {
      {"/per_gpu/total_bytes", "B", "memory per GPU of the worst pipeline rank"},
      {"/per_gpu/hbm_capacity_bytes", "B", "HBM per GPU"},
      {"/headroom_bytes", "B", "headroom (negative: does not fit)"},
      {"/per_gpu/parameters_bytes", "B", "parameters per GPU (worst rank)"},
      {"/per_gpu/activations_bytes", "B", "activations per GPU (worst rank, estimate)"},
      {"/per_gpu/optimizer_bytes", "B", "optimizer state per GPU (worst rank)", false},
      {"/per_gpu/gradients_bytes", "B", "gradients per GPU (worst rank)", false},
      {"/headroom_fraction", "", "headroom as a share of HBM", false},
  };
  rep.tables = {memory_parts_table(),
                {"ranks",
                 "Memory per GPU of each pipeline rank",
                 "/per_rank",
                 {{"rank", "rank", ""},
                  {"total_bytes", "total", "GiB", 1.0 / kGiB, 1},
                  {"activations_bytes", "activations", "GiB", 1.0 / kGiB, 1},
                  {"activation_micro_batches", "live micro-batches", ""}},
                 {{"bar", "rank", "total_bytes", "", "", "", "bytes per GPU"}}}};
  return rep;
}

}  // namespace fathom::models::training
