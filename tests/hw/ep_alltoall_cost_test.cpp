// Expert-parallel all-to-all: exact traffic arithmetic, and kernel-level checks against the
// published DeepEP tables (K20-K25) with the H800 node's achievable bandwidths (N02) and latencies (N06).

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "hw/ep_alltoall_cost.h"
#include "hw/node_spec.h"
#include "sim/scenario_document.h"

using namespace fathom;
using namespace fathom::hw;

namespace {

NodeSpec h800() {
  const ScenarioDocument doc = load_scenario(std::string(FATHOM_SOURCE_DIR) + "/scenarios/hw/nodes/h800-8gpu.json");
  return read_node_spec(SpecReader(doc.root, doc.label, ""));
}

NodeSpec gb200_tray() {
  const ScenarioDocument doc =
      load_scenario(std::string(FATHOM_SOURCE_DIR) + "/scenarios/hw/nodes/gb200-nvl72-tray.json");
  return read_node_spec(SpecReader(doc.root, doc.label, ""));
}

double relative_error(double predicted, double published) { return predicted / published - 1.0; }

double median_abs(std::vector<double> v) {
  for (double& x : v) x = std::fabs(x);
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

TEST_CASE("payload sizes: FP8 with 128-element scales, BF16 without", "[unit]") {
  CHECK(payload_bytes_per_token(7168, DType::fp8).value() == 7168 + 56 * 4);  // 7,392 B
  CHECK(payload_bytes_per_token(7168, DType::bf16).value() == 14336);
}

TEST_CASE("low-latency traffic is one message per (token, expert) pair", "[unit]") {
  const NodeSpec node = h800();
  AllToAllShape s{.tokens_per_gpu = 128,
                  .top_k = 8,
                  .ep_gpus = 64,
                  .bytes_per_token = Bytes(1000),
                  .style = AllToAllStyle::low_latency,
                  .nvlink_local = true};
  // 1,024 pairs; 8 nodes -> 1/8 stay local (NVLink), 7/8 cross IB.
  const AllToAllTraffic t = ep_alltoall_traffic(s, node);
  CHECK(t.over_ib.value() == Approx(1024 * 1000 * 7.0 / 8));
  CHECK(t.over_nvlink.value() == Approx(1024 * 1000 / 8.0));
  s.nvlink_local = false;
  CHECK(ep_alltoall_traffic(s, node).over_ib.value() == Approx(1024 * 1000));
}

TEST_CASE("normal traffic crosses IB once per distinct remote node", "[unit]") {
  const NodeSpec node = h800();
  // EP64 = 8 nodes, at most 4 nodes per token (T05): a token's 8 experts fall on the 4 chosen
  // nodes; expected distinct nodes 4(1 - (3/4)^8) = 3.5995, of which 7/8 are remote.
  const AllToAllShape s{.tokens_per_gpu = 1,
                        .top_k = 8,
                        .ep_gpus = 64,
                        .max_nodes_per_token = 4,
                        .bytes_per_token = Bytes(1),
                        .style = AllToAllStyle::normal};
  const AllToAllTraffic t = ep_alltoall_traffic(s, node);
  CHECK(t.remote_nodes_per_token == Approx(4 * (1 - std::pow(0.75, 8)) * 7 / 8));
  CHECK(t.over_ib.value() == Approx(t.remote_nodes_per_token));
}

TEST_CASE("DeepEP normal kernels: predicted bottleneck bandwidth vs K21 and intranode K22", "[unit]") {
  const NodeSpec node = h800();
  // K20: 4,096 tokens, hidden 7,168, top-4 groups (nodes), top-8, FP8 dispatch.
  struct Row {
    int64_t ep;
    double published_gbps;  // K21 dispatch (RDMA bytes / time; NVLink bytes / time for EP8)
  };
  std::vector<double> errors;
  for (const Row row : {Row{8, 153}, Row{16, 43}, Row{32, 44}, Row{64, 46}}) {
    const AllToAllShape s{.tokens_per_gpu = 4096,
                          .top_k = 8,
                          .ep_gpus = row.ep,
                          .max_nodes_per_token = 4,
                          .bytes_per_token = payload_bytes_per_token(7168, DType::fp8)};
    const AllToAllTraffic t = ep_alltoall_traffic(s, node);
    const double seconds = ep_alltoall_time(s, node).value();
    const double bytes = row.ep <= 8 ? t.over_nvlink.value() : t.over_ib.value();
    const double err = relative_error(bytes / seconds / 1e9, row.published_gbps);
    INFO("EP" << row.ep << " predicted " << bytes / seconds / 1e9 << " GB/s, error " << err);
    CHECK(std::fabs(err) < 0.40);
    errors.push_back(err);
  }
  CHECK(median_abs(errors) < 0.15);
}

TEST_CASE("DeepEP low-latency kernels: predicted latency vs K24 (pure RDMA) and K25 (NVLink-aware)", "[unit]") {
  const NodeSpec node = h800();
  struct Row {
    int64_t ep;
    double dispatch_us, combine_us;
    bool nvlink_local;
  };
  // K24 (Feb 2025) and K25 (2025-06) rows; K23 setting: 128 tokens, hidden 7,168, top-8.
  const std::vector<Row> rows = {{8, 163, 318, false},  {16, 173, 329, false},  {32, 182, 350, false},
                                 {64, 186, 353, false}, {128, 192, 369, false}, {256, 194, 360, false},
                                 {8, 77, 114, true},    {16, 118, 195, true},   {32, 155, 273, true},
                                 {64, 173, 314, true}};
  std::vector<double> errors;
  for (const Row& row : rows) {
    for (const bool dispatch : {true, false}) {
      const AllToAllShape s{.tokens_per_gpu = 128,
                            .top_k = 8,
                            .ep_gpus = row.ep,
                            .bytes_per_token = payload_bytes_per_token(7168, dispatch ? DType::fp8 : DType::bf16),
                            .style = AllToAllStyle::low_latency,
                            .nvlink_local = row.nvlink_local};
      const double us = ep_alltoall_time(s, node).value() * 1e6;
      const double err = relative_error(us, dispatch ? row.dispatch_us : row.combine_us);
      INFO("EP" << row.ep << (dispatch ? " dispatch " : " combine ") << (row.nvlink_local ? "K25" : "K24")
                << ": predicted " << us << " us, error " << err);
      CHECK(std::fabs(err) < 0.40);
      errors.push_back(err);
    }
  }
  CHECK(median_abs(errors) < 0.10);
}

TEST_CASE("NVL72: EP across the trays of one rack is all NVLink, across racks the NICs carry the rest", "[unit]") {
  const NodeSpec tray = gb200_tray();  // 4 GPUs per tray, one 72-GPU NVLink domain (H15)
  REQUIRE(tray.gpus_per_node == 4);
  REQUIRE(tray.scaleup_domain_gpus == 72);
  AllToAllShape s{.tokens_per_gpu = 128,
                  .top_k = 8,
                  .ep_gpus = 72,
                  .bytes_per_token = Bytes(1000),
                  .style = AllToAllStyle::low_latency,
                  .nvlink_local = true};
  // EP72 over 18 trays, one domain: all 1,024 (token, expert) pairs stay on NVLink.
  AllToAllTraffic t = ep_alltoall_traffic(s, tray);
  CHECK(t.over_ib.value() == 0);
  CHECK(t.over_nvlink.value() == Approx(1024 * 1000));
  // 3.33 us NVLink latency + 1,024,000 B / 720 GB/s = 1.4222 us; no NIC latency.
  CHECK(ep_alltoall_time(s, tray).value() == Approx(3.33e-6 + 1.024e6 / 720e9).epsilon(1e-12));

  // The same trays as stand-alone 4-GPU NVLink islands (the old node = domain rule): 17/18 of the pairs leave.
  NodeSpec islands = tray;
  islands.scaleup_domain_gpus = 4;
  CHECK(ep_alltoall_traffic(s, islands).over_ib.value() == Approx(1024 * 1000 * 17.0 / 18));

  // EP144 over two racks: half the pairs cross to the other rack on the tray's NICs (one CX7 per GPU,
  // 40 GB/s achievable), half stay on NVLink; both latencies count.
  s.ep_gpus = 144;
  t = ep_alltoall_traffic(s, tray);
  CHECK(t.over_ib.value() == Approx(512 * 1000));
  CHECK(t.over_nvlink.value() == Approx(512 * 1000));
  CHECK(scaleout_bandwidth_per_gpu(tray).value() == 40e9);
  // 3.33 + 3.7 us + max(512,000 / 40 GB/s = 12.8 us, 512,000 / 720 GB/s = 0.711 us) = 19.83 us.
  CHECK(ep_alltoall_time(s, tray).value() == Approx(19.83e-6).epsilon(1e-9));

  // Normal kernels, EP72 in one rack: no NIC bytes; NVLink forwards to the distinct expert GPUs but the
  // sender's own: 72 (1 - (71/72)^8) (1 - 1/72) per token.
  s.ep_gpus = 72;
  s.style = AllToAllStyle::normal;
  s.tokens_per_gpu = 1;
  t = ep_alltoall_traffic(s, tray);
  CHECK(t.over_ib.value() == 0);
  const double gpus_hit = 72 * (1 - std::pow(71.0 / 72.0, 8));
  CHECK(t.over_nvlink.value() == Approx(gpus_hit * (1 - 1.0 / 72) * 1000));
}
