#include "models/serving/serving_inputs.h"

#include <fmt/format.h>

#include "hw/calibration.h"

namespace fathom::models::serving {

ServingInputs read_serving_inputs(const ScenarioDocument& doc, ProvenanceLog* log) {
  const SpecReader top(doc.root, doc.label, "", log);
  if (top.has("name")) top.text("name");
  if (top.has("description")) top.text("description");
  top.choice("kind", {"serving"});
  const hw::ClusterSpec cluster = hw::read_cluster_spec(top.child("cluster"));
  if (cluster.node.scaleout_nic.count == 0) {
    top.fail("cluster", "prefill-decode disaggregation moves KV caches over a scale-out NIC; the node has none");
  }
  ModelChoice model = read_model_choice(top.child("model"), doc);
  const auto calibration = doc.resolve_path(top.text("calibration"));
  if (!std::filesystem::exists(calibration)) {
    top.fail("calibration", fmt::format("file {} does not exist", calibration.string()));
  }
  ServingInputs in{
      .label = doc.label,
      .model = std::move(model),
      .cluster = cluster,
      .kernels = hw::KernelCostModel(cluster.node.gpu, hw::load_calibration(calibration)),
      .traffic = read_daily_traffic(top.child("traffic")),
      .economics = read_economics(top.child("economics")),
      .spec = read_serving_spec(top, cluster.node.gpus_per_node),
  };
  top.finish();
  return in;
}

}  // namespace fathom::models::serving
