# Project warnings as an INTERFACE target; every project target links it.
add_library(ow_warnings INTERFACE)
target_compile_options(ow_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Wunused -Woverloaded-virtual -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough
  # GCC 12 reports hundreds of false "potential null pointer dereference" warnings from
  # inlined libstdc++ code once optimizing; the unoptimized builds (dev, asan: -Werror)
  # still check it.
  $<$<CONFIG:Debug>:-Wnull-dereference>
  # Likewise for std::optional members at -O2 (GCC bug 80635).
  $<$<NOT:$<CONFIG:Debug>>:-Wno-maybe-uninitialized>)
if(OW_WERROR)
  target_compile_options(ow_warnings INTERFACE -Werror)
endif()
