// Bulk writes for large publications (an import of a whole directory): the same rows as
// Store::UpsertItem, InsertVersion and Reindex write one item at a time, in multi-row
// statements over many items, with the postings of a batch sorted by (term, code) so each
// index page is visited once per batch rather than once per item.
#include <algorithm>
#include <boost/json.hpp>
#include <tuple>

#include "catalog/item.h"
#include "catalog/store.h"
#include "core/json_members.h"

namespace ow::catalog {

namespace json = boost::json;
using json_members::Int;
using json_members::Str;

namespace {

// Rows of `columns` values each, sent as multi-row INSERTs of at most `per_statement` rows
// (both stores take 32,766 parameters per statement; these stay well under).
class MultiInsert {
 public:
  MultiInsert(db::Connection& c, std::string head, size_t columns, size_t per_statement,
              std::string tail = "")
      : c_(c),
        head_(std::move(head)),
        tail_(std::move(tail)),
        columns_(columns),
        per_(per_statement) {}

  Status Add(std::initializer_list<db::Value> row) {
    for (const auto& v : row) params_.push_back(v);
    return params_.size() / columns_ >= per_ ? Flush() : Status();
  }
  // Sends what is pending: a full statement, or a remainder as statements of 64 rows and
  // then single rows, so a connection prepares (and caches) three statement texts per
  // table rather than one per remainder size (SQLite's prepare is quadratic in the number
  // of parameters).
  Status Flush() {
    size_t rows = params_.size() / columns_;
    if (rows == 0) return {};
    if (rows >= per_) return Send(rows, 0);
    size_t at = 0;
    for (; rows - at / columns_ >= 64; at += 64 * columns_) OW_RETURN_IF_ERROR(Send(64, at));
    for (; at < params_.size(); at += columns_) OW_RETURN_IF_ERROR(Send(1, at));
    params_.clear();
    return {};
  }

 private:
  // `rows` rows of the pending parameters from index `first`; clears them when they are all.
  Status Send(size_t rows, size_t first) {
    std::string sql = head_ + " VALUES ";
    sql.reserve(sql.size() + rows * columns_ * 7);
    size_t n = 1;
    for (size_t r = 0; r < rows; ++r) {
      sql += r ? ",(" : "(";
      for (size_t k = 0; k < columns_; ++k) {
        if (k) sql += ',';
        sql += '$';
        sql += std::to_string(n++);
      }
      sql += ')';
    }
    sql += tail_;
    Result<int64_t> done = int64_t{0};
    if (first == 0 && rows * columns_ == params_.size()) {
      done = c_.Exec(sql, params_);
      params_.clear();
    } else {
      std::vector<db::Value> part(
          params_.begin() + static_cast<std::ptrdiff_t>(first),
          params_.begin() + static_cast<std::ptrdiff_t>(first + rows * columns_));
      done = c_.Exec(sql, part);
    }
    if (!done) return done.error();
    return {};
  }

  db::Connection& c_;
  std::string head_, tail_;
  size_t columns_, per_;
  std::vector<db::Value> params_;
};

}  // namespace

Status Store::Unindex(db::Connection& c, const std::string& code, TermCounts& df) {
  return Reindex(c, code, nullptr, df);
}

Status Store::PublishMany(db::Connection& c, const std::vector<BulkVersion>& vs,
                          const BulkMeta& meta, TermCounts& df) {
  MultiInsert items(
      c,
      "INSERT INTO catalog_items (code, status, current_version, name, name_en, type, "
      "department_code, level, online_depth, visits, statutory_days, promised_days, updated_at)",
      13, 500,
      " ON CONFLICT (code) DO UPDATE SET status = excluded.status, current_version = "
      "excluded.current_version, name = excluded.name, name_en = excluded.name_en, type = "
      "excluded.type, department_code = excluded.department_code, level = excluded.level, "
      "online_depth = excluded.online_depth, visits = excluded.visits, statutory_days = "
      "excluded.statutory_days, promised_days = excluded.promised_days, updated_at = "
      "excluded.updated_at");
  MultiInsert versions(c,
                       "INSERT INTO catalog_versions (code, version, status, document, change_id, "
                       "change_kind, author, approver, published_at)",
                       9, 500);
  for (const auto& v : vs) {
    const json::object& d = *v.doc;
    OW_RETURN_IF_ERROR(items.Add(
        {v.code, v.status, v.version, Str(d, "name"), Str(d, "name_en"), Str(d, "type"),
         Str(d, "department_code"), Str(d, "level"), Int(d, "online_depth"), Int(d, "visits"),
         Int(d, "statutory_days"), Int(d, "promised_days"), meta.published_at}));
    OW_RETURN_IF_ERROR(
        versions.Add({v.code, v.version, v.status, json::serialize(d), meta.change_id,
                      meta.change_kind, meta.author, meta.approver, meta.published_at}));
  }
  OW_RETURN_IF_ERROR(items.Flush());
  OW_RETURN_IF_ERROR(versions.Flush());

  // The search index of the published ones, as Reindex writes it, sorted.
  std::vector<std::tuple<std::string, const std::string*, int64_t>> postings;
  MultiInsert facets(c, "INSERT INTO catalog_facets (code, facet, value)", 3, 3000);
  for (const auto& v : vs) {
    if (v.status != "published") continue;
    for (auto& t : IndexTerms(*v.doc)) {
      ++df[t.term];
      postings.emplace_back(std::move(t.term), &v.code, t.weight);
    }
    ++df[""];
    for (const auto& [facet, value] : FacetsOf(*v.doc))
      OW_RETURN_IF_ERROR(facets.Add({v.code, facet, value}));
  }
  OW_RETURN_IF_ERROR(facets.Flush());
  std::sort(postings.begin(), postings.end(), [](const auto& a, const auto& b) {
    int k = std::get<0>(a).compare(std::get<0>(b));
    return k != 0 ? k < 0 : *std::get<1>(a) < *std::get<1>(b);
  });
  MultiInsert rows(c, "INSERT INTO catalog_postings (term, code, score)", 3, 5000);
  for (const auto& [term, code, score] : postings)
    OW_RETURN_IF_ERROR(rows.Add({term, *code, score}));
  return rows.Flush();
}

// The secondary indexes of catalog_postings, exactly as the migrations create them.
constexpr const char* kPostingIndexes[][2] = {
    {"catalog_postings_rank",
     "CREATE INDEX catalog_postings_rank ON catalog_postings(term, score DESC, code)"},
    {"catalog_postings_code", "CREATE INDEX catalog_postings_code ON catalog_postings(code)"}};

Status Store::DropPostingIndexes(db::Connection& c) {
  for (const auto& [name, create] : kPostingIndexes)
    OW_RETURN_IF_ERROR(c.ExecScript(std::string("DROP INDEX IF EXISTS ") + name));
  return {};
}

Status Store::CreatePostingIndexes(db::Connection& c) {
  for (const auto& [name, create] : kPostingIndexes) OW_RETURN_IF_ERROR(c.ExecScript(create));
  return {};
}

}  // namespace ow::catalog
