// Reader of the published DeepEP all-to-all rows and their predictions (calib/validation/validation.h).

#include <fmt/format.h>

#include "calib/fit/csv_table.h"
#include "calib/validation/validation.h"
#include "hw/ep_alltoall_cost.h"
#include "sim/error.h"

namespace fathom::calib {

std::vector<ValidationRow> alltoall_rows(const std::filesystem::path& file, const hw::NodeSpec& node) {
  const CsvTable t = CsvTable::read(file);
  std::vector<ValidationRow> out;
  for (size_t i = 0; i < t.rows(); ++i) {
    const std::string& style = t.text(i, "style");
    const std::string& phase = t.text(i, "phase");
    const std::string& metric = t.text(i, "metric");
    if ((style != "normal" && style != "low_latency") || (phase != "dispatch" && phase != "combine") ||
        (metric != "gbps" && metric != "us")) {
      throw InputError(
          fmt::format("{}: line {}: style must be normal|low_latency, phase dispatch|combine, metric "
                      "gbps|us",
                      t.label(), t.line(i)));
    }
    const hw::AllToAllShape shape{
        .tokens_per_gpu = t.number(i, "tokens"),
        .top_k = t.integer(i, "top_k"),
        .ep_gpus = t.integer(i, "ep"),
        .max_nodes_per_token = t.integer(i, "max_nodes"),
        .bytes_per_token =
            hw::payload_bytes_per_token(t.integer(i, "hidden"), phase == "dispatch" ? hw::DType::fp8 : hw::DType::bf16),
        .style = style == "normal" ? hw::AllToAllStyle::normal : hw::AllToAllStyle::low_latency,
        .nvlink_local = t.integer(i, "nvlink_local") != 0};
    const double seconds = hw::ep_alltoall_time(shape, node).value();
    ValidationRow r;
    r.group = "alltoall_" + style;
    r.source = t.text(i, "row_id");
    r.label = fmt::format("{} EP{} {} tokens{}", phase, shape.ep_gpus, t.text(i, "tokens"),
                          shape.nvlink_local && style == "low_latency" ? " NVLink-local" : "");
    r.measured = t.number(i, "value");
    if (metric == "us") {
      r.unit = "us";
      r.predicted = seconds * 1e6;
    } else {
      // The bottleneck link's bytes over the time: NVLink inside one node, RDMA across nodes.
      const hw::AllToAllTraffic traffic = hw::ep_alltoall_traffic(shape, node);
      const double bytes = traffic.over_ib.value() > 0 ? traffic.over_ib.value() : traffic.over_nvlink.value();
      r.unit = "GB/s";
      r.predicted = bytes / seconds / 1e9;
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace fathom::calib
