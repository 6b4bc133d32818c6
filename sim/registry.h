#pragma once
// A named table of implementations (name -> factory, with a one-line description), the only kind of
// process-wide object fathom has (ARCHITECTURE.md §7). Each folder builds its tables once, as
// function-local constants; `fathom list` prints them all.

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <vector>

#include "sim/error.h"
#include "sim/strict_json.h"

namespace fathom {

template <class Factory>
class Registry {
 public:
  struct Entry {
    std::string name;
    std::string description;
    Factory make;
  };

  Registry(std::string kind, std::vector<Entry> entries) : kind_(std::move(kind)), entries_(std::move(entries)) {}

  const std::string& kind() const { return kind_; }
  const std::vector<Entry>& entries() const { return entries_; }

  const Entry* find(std::string_view name) const {
    for (const auto& e : entries_) {
      if (e.name == name) return &e;
    }
    return nullptr;
  }

  // The entry called `name`; otherwise InputError "<where>: unknown <kind> "x"; known: a, b".
  const Entry& get(std::string_view name, std::string_view where) const {
    if (const Entry* e = find(name)) return *e;
    std::string known;
    std::vector<std::string> names;
    for (const auto& e : entries_) {
      known += (known.empty() ? "" : ", ") + e.name;
      names.push_back(e.name);
    }
    const std::string near = closest_spelling(name, names);
    throw InputError(fmt::format("{}: unknown {} \"{}\"{}; known: {}", where, kind_, printable(name, 60),
                                 near.empty() ? "" : fmt::format(" (did you mean {}?)", near), known));
  }

 private:
  std::string kind_;
  std::vector<Entry> entries_;
};

// One line of `fathom list`.
struct RegistryListing {
  std::string kind;
  std::string name;
  std::string description;
};

template <class Factory>
void append_listing(const Registry<Factory>& registry, std::vector<RegistryListing>& out) {
  for (const auto& e : registry.entries()) out.push_back({registry.kind(), e.name, e.description});
}

}  // namespace fathom
