#include "models/serving/serving_inputs.h"

#include <fmt/format.h>

#include "hw/calibration.h"
#include "models/storage/kv_read.h"

namespace fathom::models::serving {
namespace {

// {"cluster": <storage cluster, clients = prefill nodes sharing it>, "filesystem": {...},
//  "block_size": "72KiB"}: the rate each client node can read at when all read at once.
void read_kv_cache_storage(const SpecReader& r, ServingInputs& in) {
  const hw::StorageClusterSpec cluster = hw::read_storage_cluster_spec(r.child("cluster"));
  const storage::FilesystemSpec fs = storage::read_filesystem_spec(r.child("filesystem"));
  const Bytes block = r.quantity<Bytes>("block_size");
  if (block.value() <= 0) r.fail("block_size", "must be positive");
  r.finish();
  const storage::KvReadResult kv = storage::kv_read_throughput(
      cluster, fs,
      storage::KvReadQuery{.clients = cluster.clients, .demand_per_client = BytesPerSecond(0), .block_size = block});
  in.kv_read_per_node = kv.capacity_per_client;
  in.kv_read_bottleneck = "storage cluster " + std::string(storage::to_string(kv.bottleneck));
  in.kv_read_client = storage::kv_read_client(cluster, fs, block);
}

}  // namespace

ServingInputs read_serving_inputs(const ScenarioDocument& doc, ProvenanceLog* log) {
  const SpecReader top(doc.root, doc.label, "", log);
  if (top.has("name")) top.text("name");
  if (top.has("description")) top.text("description");
  if (top.has("plan")) top.raw("plan");  // the search space of `fathom plan` (models/plan/plan_spec.h)
  top.choice("kind", {"serving"});
  const hw::ClusterSpec cluster = hw::read_cluster_spec(top.child("cluster"));
  if (cluster.node.scaleout_nic.count == 0) {
    top.fail("cluster", "prefill-decode disaggregation moves KV caches over a scale-out NIC; the node has none");
  }
  ModelChoice model = read_model_choice(top.child("model"), doc);
  check_dtypes_on_gpu(top.child("model"), model, cluster.node.gpu);
  const std::string calibration_file = top.text("calibration");
  const auto calibration = doc.resolve_path(calibration_file);
  std::error_code missing;  // the non-throwing overload: a name too long for the OS is "not found"
  if (!std::filesystem::is_regular_file(calibration, missing)) {
    top.fail("calibration", doc.not_found(calibration_file));
  }
  ServingInputs in{
      .label = doc.label,
      .model = std::move(model),
      .cluster = cluster,
      .kernels = hw::KernelCostModel(cluster.node.gpu, hw::load_calibration(calibration),
                                     top.has("kernel_time_factors")
                                         ? hw::read_kernel_time_factors(top.child("kernel_time_factors"))
                                         : hw::KernelTimeFactors{}),
      .traffic = read_daily_traffic(top.child("traffic")),
      .economics = read_economics(top.child("economics")),
      .spec = read_serving_spec(top, cluster.node),
      .kv_read_per_node = std::nullopt,
      .kv_read_bottleneck = kNodeStorageNic,
      .kv_read_client = std::nullopt,
  };
  if (top.has("kv_cache_storage")) read_kv_cache_storage(top.child("kv_cache_storage"), in);
  top.finish();
  for (const auto& [section, unit] :
       {std::pair{"prefill", in.spec.prefill.unit}, std::pair{"decode", in.spec.decode.unit}}) {
    if (unit.communication_sms >= cluster.node.gpu.sm_count) {
      top.child(section).fail("communication_sms", fmt::format("{} leaves none of the GPU's {} SMs for compute",
                                                               unit.communication_sms, cluster.node.gpu.sm_count));
    }
  }
  if (in.spec.mtp.draft_tokens > 0 && !in.model.mtp) {
    top.child("mtp").fail("draft_tokens", fmt::format("{} draft tokens need the model's MTP module, but model.mtp is "
                                                      "false (set mtp.draft_tokens=0 to decode without MTP)",
                                                      in.spec.mtp.draft_tokens));
  }
  return in;
}

}  // namespace fathom::models::serving
