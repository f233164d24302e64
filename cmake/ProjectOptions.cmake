# Interface targets that carry the project's compile options, so each target
# opts in with target_link_libraries instead of inheriting global flags.

add_library(zhaoyin_warnings INTERFACE)
target_compile_options(zhaoyin_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)

add_library(zhaoyin_options INTERFACE)
target_compile_features(zhaoyin_options INTERFACE cxx_std_20)

# The "asan" preset (docs/security/fuzzing.md). UBSan findings abort (and so
# fail the test) instead of printing a line and carrying on.
option(ZHAOYIN_SANITIZE "Build with AddressSanitizer and UBSan" OFF)
if(ZHAOYIN_SANITIZE)
  target_compile_options(zhaoyin_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(zhaoyin_options INTERFACE -fsanitize=address,undefined -fno-sanitize-recover=undefined)
endif()
