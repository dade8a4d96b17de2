// Where things are on a PDF page, in the PDF's own terms, so that what the renderer
// reports (pdf.h) can be handed to the signer (pades.h) unchanged.
#ifndef OW_DOCUMENTS_GEOMETRY_H_
#define OW_DOCUMENTS_GEOMETRY_H_

namespace ow::documents {

// Points (1/72 inch) per millimetre.
inline constexpr double kPointsPerMm = 72.0 / 25.4;

// A rectangle in PDF default user space: points, origin at the lower-left corner of
// the page's media box, y upwards (the order of a PDF /Rect array).
struct PdfRect {
  double left = 0;
  double bottom = 0;
  double right = 0;
  double top = 0;
  double width() const { return right - left; }
  double height() const { return top - bottom; }
};

// A rectangle on one page; page_index counts from 0.
struct PageArea {
  int page_index = 0;
  PdfRect rect;
};

}  // namespace ow::documents

#endif  // OW_DOCUMENTS_GEOMETRY_H_
