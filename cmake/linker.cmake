# The linker: lld when the compiler can use it (scripts/install-deps.sh installs it). The
# tests are some sixty executables, each linking the whole server with its debug
# information: GNU ld spends about 6.6 s of CPU on one, lld under 0.9 s, which takes about
# three minutes off a clean `make test` on two cores. OW_LLD=OFF keeps the default linker.
option(OW_LLD "Link with lld when the compiler accepts -fuse-ld=lld" ON)
if(OW_LLD)
  include(CheckLinkerFlag)
  check_linker_flag(CXX "-fuse-ld=lld" OW_HAS_LLD)
  if(OW_HAS_LLD)
    add_link_options(-fuse-ld=lld)
  endif()
endif()
