#include "models/model_arch.h"

#include <algorithm>

namespace fathom::models {

int64_t ModelArch::moe_layer_count() const { return std::count(moe_layer.begin(), moe_layer.end(), true); }

bool ModelArch::is_sliding(int64_t layer) const {
  return layer >= 0 && layer < static_cast<int64_t>(sliding_layer.size()) && sliding_layer[static_cast<size_t>(layer)];
}

int64_t ModelArch::sliding_layer_count() const { return std::count(sliding_layer.begin(), sliding_layer.end(), true); }

LayerKind ModelArch::kind_of_layer(int64_t layer) const {
  if (layer >= layers) return LayerKind::mtp;
  return moe_layer.at(static_cast<size_t>(layer)) ? LayerKind::moe : LayerKind::dense;
}

std::string_view to_string(AttentionKind k) { return k == AttentionKind::mla ? "mla" : "gqa"; }

std::string_view to_string(LayerKind k) {
  switch (k) {
    case LayerKind::dense:
      return "dense";
    case LayerKind::moe:
      return "moe";
    case LayerKind::mtp:
      return "mtp";
  }
  return "dense";
}

}  // namespace fathom::models
