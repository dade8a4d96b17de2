# libFuzzer harnesses (fuzz/). The "fuzz" preset (clang-14) sets OW_FUZZ: every library
# is compiled with libFuzzer's coverage instrumentation, AddressSanitizer and
# UndefinedBehaviorSanitizer (UB aborts), and each harness links libFuzzer's main.
# Without OW_FUZZ the same harnesses are built with the project's compiler against
# fuzz/replay_main.cc, which runs the seed corpus and every kept crash input once
# (no fuzzing): ctest runs that replay on every `make test`.
option(OW_FUZZ "Build the libFuzzer harnesses with clang, ASan and UBSan" OFF)
if(OW_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "OW_FUZZ needs clang (the fuzz preset uses clang++-14)")
  endif()
  # UBSan's "function" check cannot compile C++20 coroutines in clang 14 ("Cannot
  # represent a difference across sections", LLVM issue 49689): the Asio coroutines of
  # http/server.cc and http/client.cc go without that one check.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function
                      -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined -fno-sanitize=function)
endif()
