# Every dependency comes from Debian packages (scripts/install-deps.sh); nothing is downloaded.
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED COMPONENTS json url system)
find_package(OpenSSL 3 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PostgreSQL REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(CLI11 REQUIRED)
# BPMN process definitions (src/workflow only).
find_package(pugixml REQUIRED)
if(OW_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(OW_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()

# Boost.Asio/Beast settings shared by every target that includes them.
add_library(ow_boost INTERFACE)
target_link_libraries(ow_boost INTERFACE Boost::headers Boost::json Boost::url Boost::system Threads::Threads)
target_compile_definitions(ow_boost INTERFACE
  BOOST_ASIO_NO_DEPRECATED BOOST_ASIO_DISABLE_CONCEPTS)

# libsodium (argon2id password hashing) has no CMake package in Debian; only src/crypto links it.
find_path(SODIUM_INCLUDE_DIR sodium.h REQUIRED)
find_library(SODIUM_LIB sodium REQUIRED)

# Sealed documents (src/documents only): cairo writes the PDF (and PNG) with the CJK fonts
# embedded, pango lays out the Chinese text, qpdf reads PDF structure for signing, and
# libqrencode makes QR codes. Debian ships pkg-config files, not CMake packages, for them.
find_package(PkgConfig REQUIRED)
pkg_check_modules(OW_PANGOCAIRO REQUIRED IMPORTED_TARGET pangocairo)
pkg_check_modules(OW_CAIRO REQUIRED IMPORTED_TARGET cairo cairo-pdf cairo-png)
pkg_check_modules(OW_QPDF REQUIRED IMPORTED_TARGET libqpdf)
pkg_check_modules(OW_QRENCODE REQUIRED IMPORTED_TARGET libqrencode)
# The indicators' evaluation export writes XLSX with libxlsxwriter (Debian libxlsxwriter-dev).
pkg_check_modules(OW_XLSXWRITER REQUIRED IMPORTED_TARGET xlsxwriter)
