// `fathom run` on a training scenario: the contract keys, the trace, the what-ifs and bad input.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "support/cli_runner.h"

using fathom::test::is_one_line;
using fathom::test::run_fathom;

namespace {

const std::string kScenario = "scenarios/deepseek-v3-pretrain-2048xh800.json";

nlohmann::json run_json(const std::string& args) {
  const auto r = run_fathom("run " + args + " --json");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

void check_error(const std::string& sets, const std::string& path) {
  const auto r = run_fathom("run " + kScenario + " " + sets);
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(is_one_line(r.err));
  CHECK(r.err.find(path) != std::string::npos);
}

}  // namespace

TEST_CASE("fathom run training: the contract keys", "[smoke]") {
  const auto j = run_json(kScenario);
  CHECK(j["kind"] == "training");
  CHECK(j["schedule"] == "dualpipe");
  for (const char* k :
       {"time_s", "forward_s", "backward_input_s", "backward_weight_s", "bubble_s", "exposed_comm_s", "optimizer_s"}) {
    INFO(k);
    CHECK(j["step"][k].is_number());
  }
  for (const char* k : {"tokens_per_step", "tokens_per_day", "mfu_bf16", "mfu_fp8", "achieved_tflops_per_gpu",
                        "gpu_hours", "cost_usd"}) {
    INFO(k);
    CHECK(j[k].is_number());
  }
  CHECK(j["tokens_per_step"].get<double>() == 15360.0 * 4096.0);
  CHECK(j["folds"].size() >= 3);
  bool micro_batches_assumed = false;
  for (const auto& a : j["assumptions"])
    if (a["path"] == "training.micro_batches") micro_batches_assumed = true;
  CHECK(micro_batches_assumed);
  const double t = j["step"]["time_s"].get<double>() + j["step"]["checkpoint_amortised_s"].get<double>();
  CHECK(j["time_per_step_s"].get<double>() == Approx(t));
  // T11's ramp over the first 469B tokens, then every step at the final batch.
  const auto& ramp = j["batch_ramp"];
  const double steady_steps = (14.8e12 - 469e9) / j["tokens_per_step"].get<double>();
  CHECK(j["gpu_hours"].get<double>() == Approx(ramp["ramp_gpu_hours"].get<double>() + steady_steps * t * 2048 / 3600));
  CHECK(j["steps_for_budget"].get<double>() == Approx(ramp["ramp_steps"].get<double>() + steady_steps));
  CHECK(j["expert_imbalance"].get<double>() >= 1.0);
  CHECK(j["expert_imbalance_before_eplb"].get<double>() >= j["expert_imbalance"].get<double>());
  for (const char* k : {"bytes", "time_s"}) CHECK(j["checkpoint"][k].get<double>() > 0);
  CHECK(j["checkpoint"]["bottleneck"].is_string());
}

TEST_CASE("fathom run training: the batch_ramp keys", "[smoke]") {
  const auto j = run_json(kScenario);
  const auto& r = j["batch_ramp"];
  REQUIRE(r.is_object());
  for (const char* k : {"ramp_tokens", "ramp_steps", "ramp_gpu_hours"}) {
    INFO(k);
    CHECK(r[k].is_number());
  }
  CHECK(r["ramp_tokens"].get<double>() == 469e9);
  REQUIRE(r["segments"].size() == 8);
  double tokens = 0, steps = 0;
  for (const auto& seg : r["segments"]) {
    for (const char* k : {"global_batch_sequences", "micro_batches", "step_s", "tokens", "steps"}) {
      INFO(k);
      CHECK(seg[k].is_number());
    }
    CHECK(seg["global_batch_sequences"].get<int>() == 128 * seg["micro_batches"].get<int>());
    CHECK(seg["micro_batches"].get<int>() >= 32);  // DualPipe on PP16
    tokens += seg["tokens"].get<double>();
    steps += seg["steps"].get<double>();
  }
  CHECK(r["segments"][0]["micro_batches"] == 32);  // 3840 target sequences / 128 = 30, rounded up to 32
  CHECK(tokens == Approx(469e9));
  CHECK(steps == Approx(r["ramp_steps"].get<double>()));
  CHECK(j["cost_usd"].get<double>() == Approx(2.0 * j["gpu_hours"].get<double>()));
  // A ramp of 0 tokens: every step at the final batch, fewer GPU-hours.
  const auto flat = run_json(kScenario + " --set training.batch_ramp.ramp_tokens=0");
  CHECK(flat["batch_ramp"]["ramp_steps"].get<double>() == 0.0);
  CHECK(flat["gpu_hours"].get<double>() < j["gpu_hours"].get<double>());
  const auto text = run_fathom("run " + kScenario);
  CHECK(text.out.find("Batch ramp") != std::string::npos);
}

TEST_CASE("fathom run training: text summary and a Perfetto-loadable trace", "[smoke]") {
  const std::string trace = "/tmp/fathom_training_trace_test.json";
  const auto r = run_fathom("run " + kScenario + " --trace " + trace);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("pipeline bubble") != std::string::npos);
  CHECK(r.out.find("GPU-hours") != std::string::npos);
  const auto j = nlohmann::json::parse(fathom::test::read_all(trace));
  std::remove(trace.c_str());
  int slices = 0;
  std::set<int> ranks;
  for (const auto& e : j["traceEvents"]) {
    if (e["ph"] != "X") continue;
    ++slices;
    CHECK(e["dur"].get<double>() >= 0);
    CHECK(e.contains("ts"));
    ranks.insert(e["pid"].get<int>());
  }
  CHECK(slices > 1000);
  CHECK(ranks.size() == 16);
}

TEST_CASE("fathom run training: the what-ifs run", "[smoke]") {
  const auto h800 = run_json(kScenario);
  const auto h100 = run_json("scenarios/deepseek-v3-pretrain-2048xh100.json");
  CHECK(h100["gpu"] == "NVIDIA H100 SXM5");
  CHECK(h100["step"]["time_s"].get<double>() <= h800["step"]["time_s"].get<double>());
  const auto one_f_one_b = run_json(kScenario + " --set training.schedule=1f1b");
  CHECK(one_f_one_b["schedule"] == "1f1b");
  const auto ep32 = run_json(kScenario + " --set parallelism.ep=32");
  CHECK(ep32["layout"]["experts_per_gpu"] == 8);
}

TEST_CASE("fathom run training: a run on another GPU's kernel calibration says so, with the families", "[smoke]") {
  const auto h800 = run_json(kScenario);
  CHECK(h800["calibration_mismatch"].is_null());
  CHECK(h800["calibration_device"] == "NVIDIA H800 SXM5");
  const auto h100 = run_json("scenarios/deepseek-v3-pretrain-2048xh100.json");
  const auto& m = h100["calibration_mismatch"];
  REQUIRE(m.is_object());
  CHECK(m["calibration_device"] == "NVIDIA H800 SXM5");
  CHECK(m["gpu"] == "NVIDIA H100 SXM5");
  const auto families = m["families"].get<std::vector<std::string>>();
  CHECK(std::find(families.begin(), families.end(), "dense_gemm") != families.end());
  CHECK(std::find(families.begin(), families.end(), "attention_decode") == families.end());  // all assumed
  const auto text = run_fathom("run scenarios/deepseek-v3-pretrain-2048xh100.json");
  REQUIRE(text.exit_code == 0);
  CHECK(text.out.find("WARNING: Kernel calibration of NVIDIA H800 SXM5 used for NVIDIA H100 SXM5") !=
        std::string::npos);
}

TEST_CASE("fathom run training: bad input is one line naming the JSON path", "[unit]") {
  check_error("--set parallelism.pp=1", "parallelism.pp");  // DualPipe needs an even PP >= 2
  check_error("--set training.micro_batches=30 --set training.global_batch_sequences=3840", "training.micro_batches");
  check_error("--set training.micro_batches=60", "training.micro_batches");  // 128 x 60 != 15360
  check_error("--set training.recompute.attention=true", "training.recompute.attention");
  check_error("--set training.recompute.rms_norm=3", "training.recompute.rms_norm");
  check_error("--set training.workspace=2parsecs", "training.workspace");
  check_error("--set training.workspace=-1GiB", "training.workspace");
  check_error("--set parallelism.ep=48", "parallelism.ep");
  check_error("--set training.schedule=gpipe", "training.schedule");
  check_error("--set training.expert_imbalance=0.5", "training.expert_imbalance");
  check_error("--set parallelism.tp=16", "parallelism.tp: 16 must divide the 8 GPUs of a node");
  check_error("--set training.expert_imbalance=1.2", "expert_load");  // exclusive with EPLB's figure
  check_error("--set checkpoint.every_steps=0", "checkpoint.every_steps");
  check_error("--set training.batch_ramp.start_global_batch_sequences=0",
              "training.batch_ramp.start_global_batch_sequences");
  check_error("--set training.batch_ramp.start_global_batch_sequences=15361",  // above the final batch
              "training.batch_ramp.start_global_batch_sequences");
  check_error("--set training.batch_ramp.ramp_tokens=-1", "training.batch_ramp.ramp_tokens");
  check_error("--set training.batch_ramp.ramp_tokens=15e12", "training.batch_ramp.ramp_tokens");  // > budget
  check_error("--set training.batch_ramp.segments=0", "training.batch_ramp.segments");
  check_error("--set training.batch_ramp.slices=4", "training.batch_ramp.slices");  // unknown key
}

TEST_CASE("fathom run training: the flow level shares each NIC between the traffic classes", "[smoke]") {
  const auto ev = run_json(kScenario);
  const auto fl = run_json(kScenario + " --set fidelity=flow");
  CHECK(fl["fidelity"] == "flow");
  CHECK(fl["engine_flows"].get<int>() > 0);
  CHECK(ev["engine_flows"].get<int>() == 0);
  const double t_ev = ev["step"]["time_s"].get<double>(), t_fl = fl["step"]["time_s"].get<double>();
  // Contention on the NIC can only add time; the event level's closed forms are the same traffic alone.
  CHECK(t_fl >= t_ev * (1 - 1e-9));
  CHECK(t_fl <= t_ev * 1.05);
  double parts = 0;
  for (const char* k :
       {"forward_s", "backward_input_s", "backward_weight_s", "exposed_comm_s", "bubble_s", "optimizer_s"}) {
    parts += fl["step"][k].get<double>();
  }
  CHECK(parts == Approx(t_fl).epsilon(1e-9));
  // The compute is the same work at either level.
  CHECK(fl["step"]["forward_s"].get<double>() == Approx(ev["step"]["forward_s"].get<double>()).epsilon(1e-12));
}

TEST_CASE("fathom run training: a fidelity without a training model is one line", "[unit]") {
  check_error("--set fidelity=packet", "fidelity");
}

TEST_CASE("fathom run training: the memory keys", "[smoke]") {
  const auto j = run_json(kScenario);
  const auto& m = j["memory"];
  REQUIRE(m.is_object());
  CHECK(m["fits"].is_boolean());
  for (const char* k : {"worst_rank", "hbm_bytes", "headroom_bytes"}) {
    INFO(k);
    CHECK(m[k].is_number());
  }
  REQUIRE(m["per_rank"].size() == 16);
  for (const auto& r : m["per_rank"]) {
    for (const char* k :
         {"rank", "parameters_bytes", "fp8_weights_bytes", "gradients_bytes", "optimizer_bytes", "activations_bytes",
          "activation_micro_batches", "deepep_buffers_bytes", "workspace_bytes", "total_bytes"}) {
      INFO(k);
      CHECK(r[k].is_number());
    }
    CHECK(r["stages"].size() == 2);
    CHECK(r["total_bytes"].get<double>() > 0);
  }
  const double worst = m["per_rank"][m["worst_rank"].get<size_t>()]["total_bytes"].get<double>();
  CHECK(m["headroom_bytes"].get<double>() == Approx(m["hbm_bytes"].get<double>() - worst));
  REQUIRE(m["worst_rank_activations"].is_array());
  double items = 0;
  for (const auto& i : m["worst_rank_activations"]) {
    CHECK(i["name"].is_string());
    CHECK(i["basis"].is_string());
    items += i["bytes"].get<double>();
  }
  CHECK(items == Approx(m["per_rank"][m["worst_rank"].get<size_t>()]["activations_bytes"].get<double>()));
  std::set<std::string> assumed;
  for (const auto& a : j["assumptions"]) assumed.insert(a["path"].get<std::string>());
  for (const char* k :
       {"training.workspace", "training.keep_expert_outputs", "training.fp8_weight_copies",
        "training.deepep_nvl_buffer_tokens", "training.deepep_rdma_buffer_tokens", "memory.deepep_buffers"}) {
    INFO(k);
    CHECK(assumed.count(k) == 1);
  }
  check_error("--set training.fp8_weight_copies=3", "training.fp8_weight_copies");
  check_error("--set training.deepep_nvl_buffer_tokens=-1", "training.deepep_nvl_buffer_tokens");
  const auto text = run_fathom("run " + kScenario);
  CHECK(text.out.find("Memory per GPU") != std::string::npos);
  CHECK(text.out.find(m["fits"].get<bool>() ? "FITS" : "DOES NOT FIT") != std::string::npos);
}

TEST_CASE("fathom run training: the analytic level has the contract keys and no timeline", "[smoke]") {
  const auto j = run_json(kScenario + " --set fidelity=analytic");
  CHECK(j["fidelity"] == "analytic");
  CHECK(j["engine_tasks"].get<int>() == 0);
  CHECK(j["step"]["time_s"].get<double>() > 0);
  CHECK(j["gpu_hours"].get<double>() > 0);
  check_error("--set fidelity=analytic --trace /tmp/fathom-analytic-trace.json", "--trace");
}
