#include "calib/trace/kineto_trace.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "sim/error.h"
#include "sim/strict_json.h"

namespace fathom::calib {
namespace {

using nlohmann::json;

// Microseconds per second: Chrome-trace "ts" and "dur" are microseconds.
constexpr double kMicrosecond = 1e-6;
// Plausibility bounds (assumed: no GPU kernel runs a day; a Kineto "ts" is microseconds since an epoch,
// ~1.7e15 today). Beyond them a trace's span (last end - first start) or its sums overflow to inf and the
// reports printed "measured GPU time per step inf s" and a predicted/measured ratio of 0 with exit 0.
constexpr double kMaxDurationUs = 86400e6;  // one day
constexpr double kMaxTimestampUs = 1e18;    // ~31,700 years

bool is_gpu_category(const std::string& cat) {
  std::string c = cat;
  std::transform(c.begin(), c.end(), c.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return c == "kernel" || c == "gpu_memcpy" || c == "gpu_memset";
}

// The operator that launched a kernel, as recorded with record_shapes=True.
struct OperatorShapes {
  std::string name;
  std::vector<std::vector<int64_t>> dims;
  std::vector<std::string> types;
};

// "Input Dims": one list per input; an input that is not a list of whole numbers (a scalar [], a
// tensor list [[..], [..]]) reads as an empty list: it has no shape of its own.
std::vector<std::vector<int64_t>> input_dims(const json& dims) {
  std::vector<std::vector<int64_t>> out;
  if (!dims.is_array()) return out;
  for (const json& input : dims) {
    std::vector<int64_t> d;
    if (input.is_array()) {
      for (const json& v : input) {
        if (!v.is_number_integer() || v.get<int64_t>() < 0) {
          d.clear();
          break;
        }
        d.push_back(v.get<int64_t>());
      }
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<std::string> input_types(const json& types) {
  std::vector<std::string> out;
  if (!types.is_array()) return out;
  for (const json& t : types) out.push_back(t.is_string() ? t.get<std::string>() : "");
  return out;
}

std::optional<OperatorShapes> shapes_of(const json& event) {
  if (!event.contains("args") || !event["args"].is_object()) return std::nullopt;
  const json& args = event["args"];
  if (!args.contains("Input Dims")) return std::nullopt;
  OperatorShapes s;
  s.name = event.contains("name") && event["name"].is_string() ? event["name"].get<std::string>() : "";
  s.dims = input_dims(args["Input Dims"]);
  if (args.contains("Input type")) s.types = input_types(args["Input type"]);
  return s;
}

std::optional<int64_t> external_id(const json& event) {
  if (!event.contains("args") || !event["args"].is_object()) return std::nullopt;
  const json& args = event["args"];
  for (const char* key : {"External id", "external id"}) {
    if (args.contains(key) && args[key].is_number_integer()) return args[key].get<int64_t>();
  }
  return std::nullopt;
}

double microseconds(const json& event, const char* key, const std::string& where) {
  if (!event.contains(key))
    throw InputError(fmt::format("{}.{}: missing: a GPU event needs it (microseconds)", where, key));
  const json& v = event[key];
  if (!v.is_number()) throw InputError(fmt::format("{}.{}: expected a number of microseconds", where, key));
  const double us = v.get<double>();
  const bool dur = std::string(key) == "dur";
  if (!std::isfinite(us) || (dur && (us < 0 || us > kMaxDurationUs)) || (!dur && std::fabs(us) > kMaxTimestampUs)) {
    throw InputError(
        fmt::format("{}.{}: {} is not a {}", where, key, us,
                    dur ? "duration (0 to one day, in microseconds)" : "time (at most 1e18 microseconds)"));
  }
  return us;
}

int64_t integer_arg(const json& event, const char* key, int64_t fallback, const std::string& where) {
  if (!event.contains("args") || !event["args"].is_object() || !event["args"].contains(key)) return fallback;
  const json& v = event["args"][key];
  if (!v.is_number_integer()) throw InputError(fmt::format("{}.args.{}: expected an integer", where, key));
  return v.get<int64_t>();
}

int64_t id_field(const json& event, const char* key) {
  if (!event.contains(key)) return 0;
  const json& v = event[key];
  if (v.is_number_integer()) return v.get<int64_t>();
  return 0;  // Chrome traces may name pids and tids with strings ("Spans"): not a GPU's
}

std::string device_name(const json& doc, const std::string& name) {
  if (!doc.is_object() || !doc.contains("deviceProperties")) return "";
  const json& props = doc["deviceProperties"];
  if (!props.is_array()) throw InputError(fmt::format("{}: deviceProperties: expected an array", name));
  if (props.empty()) return "";
  if (!props[0].is_object() || !props[0].contains("name") || !props[0]["name"].is_string()) {
    throw InputError(fmt::format("{}: deviceProperties.0.name: expected the GPU's name (a string)", name));
  }
  return props[0]["name"].get<std::string>();
}

}  // namespace

KinetoTrace read_kineto_trace(const std::filesystem::path& file) {
  KinetoTrace out;
  out.file = printable(file.filename().string());
  const json doc = read_json_file(file);
  const json* events = nullptr;
  if (doc.is_array()) {
    events = &doc;  // the Trace Event Format's array form
  } else if (doc.is_object()) {
    if (!doc.contains("traceEvents")) {
      throw InputError(fmt::format("{}: traceEvents: missing: not a Chrome-trace / Kineto file", out.file));
    }
    events = &doc["traceEvents"];
    if (!events->is_array()) throw InputError(fmt::format("{}: traceEvents: expected an array of events", out.file));
  } else {
    throw InputError(fmt::format("{}: (top level): expected a Chrome-trace object with traceEvents", out.file));
  }
  out.device = device_name(doc, out.file);
  out.events = events->size();

  std::map<int64_t, OperatorShapes> operators;  // External id -> the CPU operator's shapes
  std::set<std::string> steps;
  std::vector<std::pair<TraceKernel, std::optional<int64_t>>> gpu;
  for (size_t i = 0; i < events->size(); ++i) {
    const json& e = (*events)[i];
    const std::string where = fmt::format("{}: traceEvents.{}", out.file, i);
    if (!e.is_object()) throw InputError(fmt::format("{}: expected an event object", where));
    const std::string name = e.contains("name") && e["name"].is_string() ? e["name"].get<std::string>() : "";
    if (name.rfind("ProfilerStep#", 0) == 0) steps.insert(name);
    if (!e.contains("ph") || !e["ph"].is_string() || e["ph"].get<std::string>() != "X") continue;
    const std::string cat = e.contains("cat") && e["cat"].is_string() ? e["cat"].get<std::string>() : "";
    if (!is_gpu_category(cat)) {
      if (auto s = shapes_of(e); s && external_id(e)) operators[*external_id(e)] = std::move(*s);
      continue;
    }
    if (!e.contains("name") || !e["name"].is_string()) {
      throw InputError(fmt::format("{}.name: expected the kernel's name (a string)", where));
    }
    TraceKernel k;
    k.name = name;
    k.category = cat;
    k.start = Seconds(microseconds(e, "ts", where));  // microseconds until the origin is subtracted below
    k.duration = Seconds(microseconds(e, "dur", where) * kMicrosecond);
    k.device = integer_arg(e, "device", id_field(e, "pid"), where);
    k.stream = integer_arg(e, "stream", id_field(e, "tid"), where);
    k.event_index = i;
    if (auto s = shapes_of(e)) {
      k.op_name = s->name;
      k.input_dims = std::move(s->dims);
      k.input_types = std::move(s->types);
    }
    gpu.emplace_back(std::move(k), external_id(e));
  }
  for (auto& [k, id] : gpu) {
    if (k.input_dims.empty() && id) {
      if (auto it = operators.find(*id); it != operators.end()) {
        k.op_name = it->second.name;
        k.input_dims = it->second.dims;
        k.input_types = it->second.types;
      }
    }
    out.kernels.push_back(std::move(k));
  }
  std::stable_sort(out.kernels.begin(), out.kernels.end(),
                   [](const TraceKernel& a, const TraceKernel& b) { return a.start.value() < b.start.value(); });
  if (!out.kernels.empty()) {
    // Subtracted in microseconds: Kineto's absolute timestamps (~1e9 us and more) would lose the
    // sub-microsecond part if converted first.
    const double origin_us = out.kernels.front().start.value();
    for (TraceKernel& k : out.kernels) k.start = Seconds((k.start.value() - origin_us) * kMicrosecond);
  }
  out.profiler_steps = std::ssize(steps);
  return out;
}

}  // namespace fathom::calib
