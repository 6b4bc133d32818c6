#include "sim/provenance.h"

#include <stdexcept>

namespace fathom {

std::string_view to_string(SourceKind kind) {
  switch (kind) {
    case SourceKind::measured:
      return "measured";
    case SourceKind::published:
      return "published";
    case SourceKind::assumed:
      return "assumed";
    case SourceKind::fathom_default:
      return "default";
    case SourceKind::user:
      return "user";
  }
  return "user";
}

Provenance Provenance::parse(std::string_view text) {
  const size_t colon = text.find(':');
  const std::string_view head = text.substr(0, colon);
  std::string ref = colon == std::string_view::npos ? "" : std::string(text.substr(colon + 1));
  while (!ref.empty() && ref.front() == ' ') ref.erase(ref.begin());
  Provenance p;
  if (head == "measured") {
    p.kind = SourceKind::measured;
  } else if (head == "published") {
    p.kind = SourceKind::published;
  } else if (head == "assumed") {
    p.kind = SourceKind::assumed;
  } else {
    throw std::invalid_argument("source must start with \"measured:\", \"published:\" or \"assumed:\"");
  }
  if (ref.empty()) throw std::invalid_argument("source needs a reference after the colon (a row id, file or reason)");
  p.ref = std::move(ref);
  return p;
}

std::string Provenance::to_string() const {
  return std::string(fathom::to_string(kind)) + (ref.empty() ? "" : ":" + ref);
}

void ProvenanceLog::record(ProvenanceEntry entry) { entries_.push_back(std::move(entry)); }

std::vector<ProvenanceEntry> ProvenanceLog::assumptions() const {
  std::vector<ProvenanceEntry> out;
  for (const auto& e : entries_) {
    if (e.source.kind == SourceKind::assumed || e.source.kind == SourceKind::fathom_default) out.push_back(e);
  }
  return out;
}

}  // namespace fathom
