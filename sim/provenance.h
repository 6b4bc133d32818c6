#pragma once
// Where a number came from (ARCHITECTURE.md §4): measured on a GPU, published (a row id of
// shared/reference/published-figures.md), assumed (a stated guess), a fathom default, or a user
// value without a stated source. Reports list every assumed and default value they rest on.

#include <string>
#include <string_view>
#include <vector>

namespace fathom {

enum class SourceKind { measured, published, assumed, fathom_default, user };

std::string_view to_string(SourceKind kind);

struct Provenance {
  SourceKind kind = SourceKind::user;
  std::string ref;  // published: row id ("H02"); measured: file or run; assumed/default: the reason

  // Parse "published:H02", "measured:h100-measured.json", "assumed:why" (throws std::invalid_argument).
  static Provenance parse(std::string_view text);
  std::string to_string() const;
};

struct ProvenanceEntry {
  std::string json_path;   // e.g. "cluster.node.gpu.hbm_capacity"
  std::string value_text;  // the value as written, e.g. "80GB"
  Provenance source;
  // The uncertainty range written beside the value ({"value", "range": [lo, hi], "source"}), as
  // written, e.g. "[0.3, 1.0]"; empty when none. Recorded only: a plain run uses the point value.
  std::string range_text = {};
};

// Collects the provenance of every value a spec reader consumed. Passed by reference; never global.
class ProvenanceLog {
 public:
  void record(ProvenanceEntry entry);
  const std::vector<ProvenanceEntry>& entries() const { return entries_; }
  // Entries whose kind is assumed or fathom_default: what a prediction rests on.
  std::vector<ProvenanceEntry> assumptions() const;

 private:
  std::vector<ProvenanceEntry> entries_;
};

}  // namespace fathom
