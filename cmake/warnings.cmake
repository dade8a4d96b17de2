# Project warnings as an INTERFACE target; every project target links it.
add_library(ow_warnings INTERFACE)
target_compile_options(ow_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Wunused -Woverloaded-virtual -Wnull-dereference -Wdouble-promotion -Wformat=2
  -Wimplicit-fallthrough)
if(OW_WERROR)
  target_compile_options(ow_warnings INTERFACE -Werror)
endif()
