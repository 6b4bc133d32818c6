// Default sanitizer settings compiled into every executable of a FATHOM_SANITIZE build (the top
// CMakeLists links this object into each), so `ctest --test-dir build-asan`, the `fathom` binary the CLI
// tests run and the fuzzer need no environment variables. ASAN_OPTIONS / LSAN_OPTIONS still override.

extern "C" {

// SimGrid's engine lives for the whole process by design (sim/simgrid_engine.h: it cannot shut down and
// restart); what it holds at exit is not a leak of fathom's.
const char* __lsan_default_suppressions() { return "leak:libsimgrid.so\n"; }
// Quiet about what was suppressed: the CLI tests expect an error to be one line on stderr.
const char* __lsan_default_options() { return "print_suppressions=0"; }

const char* __asan_default_options() { return "detect_leaks=1:abort_on_error=0:strict_string_checks=1"; }

const char* __ubsan_default_options() { return "print_stacktrace=1:halt_on_error=1"; }
}
