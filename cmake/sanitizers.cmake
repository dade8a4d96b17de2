# ASan + UBSan for the "asan" preset.
option(OW_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
add_library(ow_sanitizers INTERFACE)
if(OW_SANITIZE)
  target_compile_options(ow_sanitizers INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
  target_link_options(ow_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
