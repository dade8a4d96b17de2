# ow_embed(TARGET NAME FILE SYMBOL): compiles FILE's bytes into TARGET as
# `extern const std::string_view SYMBOL` in namespace ow::embedded, so the binary
# carries its OpenAPI document and docs page without depending on the working directory.
function(ow_embed target file symbol)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded_${symbol}.cc")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DIN=${file} -DOUT=${out} -DSYMBOL=${symbol}
            -P "${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake"
    DEPENDS "${file}" "${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake"
    VERBATIM)
  target_sources(${target} PRIVATE "${out}")
endfunction()
