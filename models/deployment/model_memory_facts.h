#pragma once
// Turns a model and its dtypes into the byte counts the memory model needs (ModelMemoryFacts),
// using the parameter counts of models/param_counts.

#include "models/deployment/memory_footprint.h"
#include "models/deployment/model_choice.h"

namespace fathom::models {

ModelMemoryFacts memory_facts(const ModelChoice& choice);

}  // namespace fathom::models
