#pragma once
// A plain-text table for the human-readable output of every subcommand: left-aligned first column,
// right-aligned numbers, columns sized to their widest cell.

#include <string>
#include <vector>

namespace fathom::reports {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header);
  void add_row(std::vector<std::string> cells);  // must have as many cells as the header
  std::string render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace fathom::reports
