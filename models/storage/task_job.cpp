#include "models/storage/task_job.h"

#include <fmt/format.h>

namespace fathom::models::storage {
namespace {

MetadataOps read_metadata_ops(const SpecReader& p) {
  MetadataOps ops;
  if (!p.has("metadata_ops")) {
    p.text_or("metadata_ops", "none", "no metadata operations per task");
    return ops;
  }
  const SpecReader m = p.child("metadata_ops");
  ops.create = m.at_least("create", m.integer_or("create", 0, "none"), 0);
  ops.open = m.at_least("open", m.integer_or("open", 0, "none"), 0);
  ops.close = m.at_least("close", m.integer_or("close", 0, "none"), 0);
  ops.remove = m.at_least("remove", m.integer_or("remove", 0, "none"), 0);
  m.finish();
  return ops;
}

std::vector<std::string> read_operations(const SpecReader& p, const TaskJobSpec& job) {
  const nlohmann::json& v = p.raw("operations");
  if (!v.is_array()) p.fail("operations", "expected a list of operation names");
  std::vector<std::string> out;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string key = fmt::format("operations.{}", i);
    if (!v[i].is_string()) p.fail(key, "expected an operation name (a string)");
    const std::string name = v[i].get<std::string>();
    if (!job.compute_rates.contains(name)) {
      std::string known;
      for (const auto& [k, rate] : job.compute_rates) known += (known.empty() ? "" : ", ") + k;
      p.fail(key, fmt::format("\"{}\" has no rate in task_job.compute_rates ({})", name, known));
    }
    out.push_back(name);
  }
  return out;
}

TaskPhaseSpec read_phase(const SpecReader& p, const TaskJobSpec& job) {
  TaskPhaseSpec ph;
  ph.name = p.text("name");
  ph.tasks = p.at_least("tasks", p.integer("tasks"), 1);
  ph.tasks_per_node = p.at_least("tasks_per_node", p.integer("tasks_per_node"), 1);
  ph.cores_per_task = p.at_least("cores_per_task", p.integer("cores_per_task"), 1);
  if (ph.tasks_per_node * ph.cores_per_task > job.cores_per_node) {
    p.fail("tasks_per_node", fmt::format("{} tasks x {} cores exceed the node's {} cores", ph.tasks_per_node,
                                         ph.cores_per_task, job.cores_per_node));
  }
  ph.operations = read_operations(p, job);
  ph.output_format_ratio =
      p.positive("output_format_ratio", p.number_or("output_format_ratio", 1.0, "the logical bytes, unencoded"));
  ph.metadata_ops = read_metadata_ops(p);
  p.finish();
  return ph;
}

}  // namespace

TaskJobSpec read_task_job(const SpecReader& r) {
  TaskJobSpec job;
  job.input = r.quantity<Bytes>("input");
  r.positive("input", job.input.value());
  job.input_format_ratio =
      r.positive("input_format_ratio", r.number_or("input_format_ratio", 1.0, "the input files hold the bare records"));
  job.cores_per_node = r.at_least("cores_per_node", r.integer("cores_per_node"), 1);
  const SpecReader rates = r.child("compute_rates");
  for (auto it = rates.node().begin(); it != rates.node().end(); ++it) {
    const BytesPerSecond rate = rates.quantity<BytesPerSecond>(it.key());
    rates.positive(it.key(), rate.value());
    job.compute_rates[it.key()] = rate;
  }
  rates.finish();
  if (r.has("metadata")) {
    const SpecReader m = r.child("metadata");
    job.metadata.ops_per_s = m.positive("ops_per_s", m.number("ops_per_s"));
    job.metadata.op_latency = m.quantity_or<Seconds>("op_latency", "0s", "no per-operation latency");
    m.finish();
  } else {
    r.text_or("metadata", "not modelled", "no metadata service limit");
  }
  const std::vector<SpecReader> phases = r.objects("phases");
  if (phases.empty()) r.fail("phases", "a task job needs at least one phase");
  for (const SpecReader& p : phases) job.phases.push_back(read_phase(p, job));
  return job;
}

}  // namespace fathom::models::storage
