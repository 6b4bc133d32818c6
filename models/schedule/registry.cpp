#include "models/schedule/registry.h"

namespace fathom::models::schedule {

const Registry<ScheduleFactory>& schedule_registry() {
  static const Registry<ScheduleFactory> registry(
      "schedule",
      {
          {"1f1b", "1F1B: warm-up forwards, one forward + one full backward, cool-down (bubble (P-1)(F+B))",
           &make_1f1b},
          {"zb1p", "ZB1P/ZB-H1 (Qi et al. 2023): 1F1B with backward split into B and deferred W (bubble (P-1)(F+B-2W))",
           &make_zb1p},
          {"dualpipe",
           "DualPipe (DeepSeek-V3 §3.2.1): bidirectional, two chunks per rank, overlapped F&B (bubble "
           "(P/2-1)(F&B+B-3W))",
           &make_dualpipe},
          {"dualpipev", "DualPipeV (cut-in-half DualPipe): 2P stages in a V over P ranks (bubble (P-1)(F&B+B-3W))",
           &make_dualpipev},
          {"interleaved_1f1b",
           "Interleaved 1F1B (Megatron-LM, Narayanan et al. 2021 §2.2.2): v chunks per rank, micro_batches a multiple "
           "of P (bubble (P-1)(F+B) per chunk = 1F1B's / v)",
           &make_interleaved_1f1b},
      });
  return registry;
}

}  // namespace fathom::models::schedule
