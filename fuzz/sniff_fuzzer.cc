// Content sniffing of uploaded materials (materials/sniff.h): magic numbers and the
// ZIP central directory of OFD packages, read in memory and through ReadAt. Both
// paths must agree, and every read must stay inside the content.
#include <cstdlib>

#include "fuzz_util.h"
#include "materials/sniff.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes = ow::fuzz::AsText(data, size);
  std::optional<std::string> in_memory = ow::materials::SniffBytes(bytes);
  auto read = [bytes](uint64_t offset, size_t n) -> ow::Result<std::string> {
    if (offset > bytes.size()) std::abort();  // a read past the end is a sniffer bug
    return std::string(bytes.substr(offset, n));
  };
  auto through_reads = ow::materials::Sniff(bytes.size(), read);
  if (!through_reads || *through_reads != in_memory) std::abort();
  return 0;
}
