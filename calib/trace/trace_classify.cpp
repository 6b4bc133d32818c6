#include "calib/trace/trace_classify.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string_view>
#include <unordered_map>

namespace fathom::calib {
namespace {

bool is_copy(const std::string& category) {
  std::string c = category;
  std::transform(c.begin(), c.end(), c.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return c == "gpu_memcpy" || c == "gpu_memset";
}

void add(TraceTotal& t, const std::string& name, Seconds d, bool communication) {
  t.name = name;
  t.count += 1;
  t.total = Seconds(t.total.value() + d.value());
  t.communication = communication;
}

}  // namespace

TraceSummary classify_trace(const KinetoTrace& trace, const TracePatterns& patterns) {
  TraceSummary out;
  std::map<std::string, TraceTotal> unclassified;
  std::set<int64_t> devices;
  // Each distinct name is matched once (a trace repeats a few hundred names over its events); the keys point into
  // trace.kernels.
  std::unordered_map<std::string_view, const TracePattern*> matched;
  const auto first_match = [&](const std::string& name) {
    const auto [it, fresh] = matched.try_emplace(name, nullptr);
    if (fresh) it->second = patterns.match(name);
    return it->second;
  };
  for (const TraceKernel& k : trace.kernels) {
    devices.insert(k.device);
    ClassifiedKernel c{&k, std::nullopt, ""};
    if (is_copy(k.category)) {
      c.cls = TraceClass{kCopyClass, std::nullopt, false};
      c.kind = k.category;
    } else if (const TracePattern* p = first_match(k.name)) {
      c.cls = p->cls;
      c.kind = p->kind;
    }
    if (c.cls) {
      add(out.classes[c.cls->name], c.cls->name, k.duration, c.cls->communication);
    } else {
      add(unclassified[k.name], k.name, k.duration, false);
    }
    out.kernels.push_back(std::move(c));
  }
  for (auto& [name, t] : unclassified) out.unclassified.push_back(std::move(t));
  std::stable_sort(out.unclassified.begin(), out.unclassified.end(),
                   [](const TraceTotal& a, const TraceTotal& b) { return a.total.value() > b.total.value(); });
  out.devices = std::ssize(devices);
  return out;
}

}  // namespace fathom::calib
