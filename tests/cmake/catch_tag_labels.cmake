# Post-build step beside catch_discover_tests (Catch2 v2 has no tags-as-labels): writes a CTest file
# that gives every discovered test its Catch2 tags as CTest labels (`ctest -L golden`), and stops the
# build when a test name cannot be a CTest name.
# Inputs (-D): TEST_EXECUTABLE, TEST_WORKING_DIR, TEST_PREFIX, CTEST_FILE.
# Contract: a test name with ';' is an error, because CTest would split it into names matching nothing.

function(run_catch out_var)
  execute_process(COMMAND "${TEST_EXECUTABLE}" ${ARGN} OUTPUT_VARIABLE output RESULT_VARIABLE result
                  WORKING_DIRECTORY "${TEST_WORKING_DIR}")
  if(result LESS 0 OR NOT result MATCHES "^[0-9]+$")
    message(FATAL_ERROR "${TEST_EXECUTABLE} ${ARGN}: failed (${result})")
  endif()
  set(${out_var} "${output}" PARENT_SCOPE)
endfunction()

# A ';' inside a name would make CTest split it (Catch2's exit code, the count listed, saturates at 255, so
# the names themselves are searched).
run_catch(names --list-test-names-only)
string(FIND "${names}" ";" semicolon)
if(NOT semicolon EQUAL -1)
  message(FATAL_ERROR "${TEST_EXECUTABLE}: a TEST_CASE name contains ';', which CTest splits; rename it")
endif()
string(REGEX REPLACE "\n$" "" names "${names}")
string(REPLACE "\n" ";" names "${names}")

# Tags: lines like "  106  [unit]" (hidden tags such as [.] and [!mayfail] are skipped).
run_catch(tag_listing --list-tags)
string(REGEX MATCHALL "\\[[A-Za-z0-9_-]+\\]" tags "${tag_listing}")
set(script "")
foreach(tag ${tags})
  string(REGEX REPLACE "^\\[|\\]$" "" label "${tag}")
  run_catch(tagged "${tag}" --list-test-names-only)
  string(REGEX REPLACE "\n$" "" tagged "${tagged}")
  string(REPLACE "\n" ";" tagged "${tagged}")
  foreach(name ${tagged})
    string(MD5 key "${name}")
    list(APPEND labels_${key} ${label})
  endforeach()
endforeach()
foreach(name ${names})
  string(MD5 key "${name}")
  if(labels_${key})
    string(APPEND script "set_tests_properties([==[${TEST_PREFIX}${name}]==] PROPERTIES LABELS [==[${labels_${key}}]==])\n")
  endif()
endforeach()
file(WRITE "${CTEST_FILE}" "${script}")
