#include "calib/validation/validation.h"

#include <algorithm>
#include <cmath>

#include "calib/fit/calibration_tables.h"
#include "calib/fit/kernel_shapes.h"
#include "hw/kernel_family_registry.h"

namespace fathom::calib {
namespace {

// Median and worst of |x|.
std::pair<double, double> median_worst(std::vector<double> v) {
  if (v.empty()) return {0.0, 0.0};
  for (double& x : v) x = std::fabs(x);
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return {v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]), v.back()};
}

std::vector<GroupSummary> summarise(const std::vector<ValidationRow>& rows) {
  std::vector<GroupSummary> out;
  for (const ValidationRow& r : rows) {
    if (std::none_of(out.begin(), out.end(), [&](const GroupSummary& g) { return g.group == r.group; })) {
      out.push_back({r.group});
    }
  }
  for (GroupSummary& g : out) {
    std::vector<double> all, held;
    for (const ValidationRow& r : rows) {
      if (r.group != g.group) continue;
      all.push_back(r.error());
      if (r.held_out > 0) held.push_back(r.held_out_error());
    }
    g.rows = std::ssize(all);
    g.held_out_rows = std::ssize(held);
    std::tie(g.median, g.worst) = median_worst(all);
    std::tie(g.held_out_median, g.held_out_worst) = median_worst(held);
  }
  return out;
}

// "gemm-data.csv#12 m=256 n=1536 k=7168" -> source "gemm-data.csv", label "m=256 n=1536 k=7168".
std::pair<std::string, std::string> split_label(const std::string& label) {
  const size_t space = label.find(' ');
  std::string source = label.substr(0, space);
  if (const size_t hash = source.find('#'); hash != std::string::npos) source = source.substr(0, hash);
  return {source, space == std::string::npos ? "" : label.substr(space + 1)};
}

}  // namespace

Validation validate(const std::vector<std::filesystem::path>& tables, const std::filesystem::path& alltoall_table,
                    const hw::NodeSpec& node) {
  const hw::GpuSpec& gpu = node.gpu;
  const CalibrationFit fit = fit_calibration(read_calibration_tables(tables, gpu), gpu, gpu.name);
  Validation v;
  v.device = gpu.name;
  for (const RowResult& r : fit.rows) {
    if (!r.excluded.empty()) continue;
    auto [source, label] = split_label(r.label);
    v.rows.push_back({std::string(hw::to_string(r.family)), source, label, "us", r.measured.value() * 1e6,
                      r.predicted.value() * 1e6, r.held_out_predicted.value() * 1e6});
  }
  for (const auto& [family, fc] : fit.calibration.families) {
    if (!fc.fit) continue;
    for (const std::string& note : fc.fit->notes) v.notes.push_back(std::string(hw::to_string(family)) + ": " + note);
  }
  std::vector<ValidationRow> a2a = alltoall_rows(alltoall_table, node);
  v.rows.insert(v.rows.end(), a2a.begin(), a2a.end());
  v.groups = summarise(v.rows);
  return v;
}

}  // namespace fathom::calib
