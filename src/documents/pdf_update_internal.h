// The qpdf half of PAdES signing (pades.h): reads an existing PDF and plans the objects
// of the incremental update that signs it. Internal to src/documents.
//
// Its own translation unit, compiled as C++17 (src/CMakeLists.txt): clang 14, which
// `make tidy` runs, cannot parse qpdf 11's JSON.hh in C++20 mode (std::vector of an
// incomplete type in a constexpr destructor). Keep C++20 out of this file and its
// header.
#ifndef OW_DOCUMENTS_PDF_UPDATE_INTERNAL_H_
#define OW_DOCUMENTS_PDF_UPDATE_INTERNAL_H_

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "core/error.h"
#include "documents/pades.h"

namespace ow::documents::internal {

// The width reserved for /ByteRange's array: "[0 a b c]" with four numbers below 10^10
// fits with room to spare.
inline constexpr size_t kByteRangeWidth = 48;

// The objects of the update, by object number: generation and body (PDF syntax, with
// "stream ... endstream" for streams).
struct UpdateObject {
  int gen = 0;
  std::string body;
};

struct UpdatePlan {
  std::map<int, UpdateObject> objects;
  int sig_num = 0;  // the signature dictionary's object
  int size = 0;     // the new trailer's /Size (an xref stream, if any, takes this number)
  // The new trailer's /Root, /Info and /ID as PDF syntax; the last two may be empty.
  std::string root_ref;
  std::string info_ref;
  std::string id;
  size_t prev = 0;           // the input's startxref: the new trailer's /Prev
  bool xref_stream = false;  // the input ends with an xref stream: so does the update
  size_t contents_hex = 0;   // hex digits reserved for /Contents
};

// Reads `pdf` with qpdf (no recovery; qpdf's exceptions become kInvalidArgument) and
// plans the update: a signature dictionary with /M `pdf_date` and placeholders for
// /ByteRange (kByteRangeWidth spaces) and /Contents (zeros), its widget, and the page,
// form and catalog objects that change.
Result<UpdatePlan> PlanUpdate(std::string_view pdf, const PdfSigner& signer,
                              const SignatureInfo& info, const std::string& pdf_date);

}  // namespace ow::documents::internal

#endif  // OW_DOCUMENTS_PDF_UPDATE_INTERNAL_H_
