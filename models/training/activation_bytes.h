#pragma once
// What one micro-batch of one pipeline stage keeps in HBM between its forward and its backward (the training
// memory model, rank_memory.h; kept per stage shape in training_cache.h).

namespace fathom::models::training {

// Bytes one micro-batch leaves stored until its backward.
struct ActivationBytes {
  double stored = 0;         // everything the backward reads, held from F until B (or Bi)
  double weight_inputs = 0;  // of which the GEMM inputs W reads (X of dW = X^T dY), held after Bi until W
};

}  // namespace fathom::models::training
