# Script mode helper for ow_embed: writes IN as a byte array named SYMBOL to OUT.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR n "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUT}" "#include <string_view>\nnamespace ow::embedded {\nstatic const unsigned char k${SYMBOL}[] = {${bytes} 0};\nextern const std::string_view ${SYMBOL}(reinterpret_cast<const char*>(k${SYMBOL}), ${n});\n}  // namespace ow::embedded\n")
