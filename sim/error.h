#pragma once
// The error type every user-facing failure is reported with: one line, naming where (a file and
// JSON path, or a flag) and what is wrong. tools/ prints what() and exits non-zero.

#include <stdexcept>
#include <string>

namespace fathom {

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace fathom
