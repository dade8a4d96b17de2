# Precompiled headers. Most of a compilation here is reading the same headers again: the
# standard library and Boost.JSON in every source, GoogleTest and Boost.Asio/Beast in every
# test on top. Every library of src/ reuses one precompiled header (ow_pch, src/CMakeLists.txt)
# and every test another (ow_test_support, tests/CMakeLists.txt), which takes about a quarter
# off a clean build. Only the standard library and Boost are precompiled, never a header of
# ours, so an edit rebuilds no more than before.
#
# GCC only (dev, asan, release): GCC quietly reads the headers themselves when a precompiled
# one does not fit a compilation's flags, while clang (the fuzz preset) refuses to build.
# OW_PCH=OFF compiles without them.
option(OW_PCH "Precompiled headers (GCC)" ON)
set(OW_USE_PCH OFF)
if(OW_PCH AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  set(OW_USE_PCH ON)
endif()

set(OW_PCH_HEADERS
  <algorithm> <array> <atomic> <chrono> <cstdint> <functional> <map> <memory> <mutex>
  <optional> <set> <span> <string> <string_view> <unordered_map> <utility> <variant> <vector>
  <boost/json.hpp>)
