#pragma once
// training.pipeline_layout: a user-written cut of the model into pipeline stages, in Megatron-LM's own syntax
// (`--pipeline-model-parallel-layout`, Megatron-Core `PipelineParallelLayerLayout`), e.g. "Et|(tt|)*30mL".
//
// Grammar (as Megatron-Core reads it): stages are split by '|'; a symbol or a parenthesised group followed
// by `*N` (N a decimal integer >= 1) is repeated N times; ',' is cosmetic and ignored; the symbols are
// E = the embedding, t = one decoder layer, m = one MTP layer, L = the loss (final norm, output head,
// cross-entropy). The flattened list holds the schedule's stages in path order: for 1f1b, zb1p and
// interleaved_1f1b, pp x virtual_stages stages, flat stage i on pipeline rank i mod pp as its virtual stage
// i / pp (Megatron-LM's placement, the one make_interleaved_1f1b uses); for dualpipe, pp stages (stage i on
// rank i for the first half of the micro-batches and on rank pp-1-i for the second, as DualPipe places any
// cut). dualpipev (2 pp stages in a V) is refused: its placement is not Megatron-LM's.
// Model order must be kept: E first (in stage 0), then every t, then every m, then L last (in the last stage).
// A stage may hold no decoder layer (only E, only m and L, or nothing: it then only forwards activations).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fathom::models::training {

// stage_plan.h and block_costs.h (not included: training_spec.h holds a PipelineLayout and block_costs.h
// includes training_spec.h).
struct Stage;
struct BlockCost;

// One stage of a layout: what it holds, in model order.
struct LayoutStage {
  bool embedding = false;
  int64_t layers = 0;  // decoder layers (t)
  int64_t mtp = 0;     // MTP layers (m)
  bool head = false;   // L
  bool operator==(const LayoutStage&) const = default;
};

struct PipelineLayout {
  std::string text;  // as written
  std::vector<LayoutStage> stages;
};

// Parses `text`; on a syntax error throws std::invalid_argument with one line saying what and where
// ("unknown symbol 'x' at character 5", "unbalanced parenthesis at character 3", "bad repeat count ...").
// Also checks what needs no model: E exactly once and first, L exactly once and last, no t after an m.
PipelineLayout parse_pipeline_layout(std::string_view text);

// What is wrong with `layout` for a model of `layers` decoder layers and `mtp_layers` MTP layers (0 without
// MTP) cut into `stages` stages of `schedule`; nullopt when it applies. `pp` and `virtual_stages` only word
// the message.
std::optional<std::string> pipeline_layout_mismatch(const PipelineLayout& layout, std::string_view schedule, int stages,
                                                    int64_t pp, int64_t virtual_stages, int64_t layers,
                                                    int64_t mtp_layers);

// The stages of `layout` over `blocks` (block_costs order: embedding, decoder layers, MTP layers, head).
// Throws std::logic_error when the counts disagree (pipeline_layout_mismatch rules that out first).
// A stage without decoder layers has first_layer = the next stage's first layer, last_layer = first_layer - 1.
std::vector<Stage> layout_stages(const std::vector<BlockCost>& blocks, const PipelineLayout& layout);

// The layout of `stages` (for a report or a test): "Ettt|tttt|...|ttmL", no repeats folded.
std::string layout_of(const std::vector<Stage>& stages);

}  // namespace fathom::models::training
