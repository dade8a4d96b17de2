// Tokenization shared by indexing and querying, identical on both stores.
//
// Han text is indexed as single characters and overlapping character pairs, so a
// one- or two-character Chinese query is an exact index lookup (a trigram index
// cannot serve those without scanning). Latin text is lower-cased words with a
// plural "s" removed. A query's terms are ANDed.
#ifndef OW_CATALOG_SEARCH_TERMS_H_
#define OW_CATALOG_SEARCH_TERMS_H_

#include <string>
#include <string_view>
#include <vector>

namespace ow::catalog {

// Every term of `text` as indexed: han unigrams and bigrams, latin words.
std::vector<std::string> TextTerms(std::string_view text);
// The terms a query must match: han runs of one character give that character,
// longer runs their bigrams; latin words as indexed. Duplicates removed.
std::vector<std::string> QueryTerms(std::string_view query);

}  // namespace ow::catalog

#endif  // OW_CATALOG_SEARCH_TERMS_H_
