#include "db/database.h"

#include <charconv>
#include <cstdio>

#include "db/postgres/postgres_database.h"
#include "db/sqlite/sqlite_database.h"

namespace ow::db {

std::string_view DialectName(Dialect d) { return d == Dialect::kSqlite ? "sqlite" : "postgresql"; }

bool Rows::IsNull(size_t row, size_t col) const {
  return std::holds_alternative<std::monostate>(rows_[row][col]);
}

std::string Rows::Text(size_t row, size_t col) const {
  const Value& v = rows_[row][col];
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&v)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", *d);
    return buf;
  }
  if (auto* b = std::get_if<Blob>(&v)) return b->bytes;
  return {};
}

int64_t Rows::Int(size_t row, size_t col) const {
  const Value& v = rows_[row][col];
  if (auto* i = std::get_if<int64_t>(&v)) return *i;
  if (auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
  if (auto* s = std::get_if<std::string>(&v)) {
    int64_t n = 0;
    std::from_chars(s->data(), s->data() + s->size(), n);
    return n;
  }
  return 0;
}

double Rows::Double(size_t row, size_t col) const {
  const Value& v = rows_[row][col];
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  if (auto* s = std::get_if<std::string>(&v)) return std::strtod(s->c_str(), nullptr);
  return 0;
}

std::optional<std::string> Rows::OptText(size_t row, size_t col) const {
  if (IsNull(row, col)) return std::nullopt;
  return Text(row, col);
}

Result<std::unique_ptr<Database>> Open(const std::string& url, const Options& options) {
  if (url.rfind("sqlite:", 0) == 0) return OpenSqlite(url.substr(7), options);
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return OpenPostgres(url, options);
  }
  return InvalidArgument("database URL must start with sqlite: or postgresql://");
}

Status OneStatementConnection::Spend() {
  if (spent_) return Internal("a one-statement read ran a second statement");
  spent_ = true;
  return {};
}
Result<Rows> OneStatementConnection::Query(std::string_view sql, const std::vector<Value>& params) {
  OW_RETURN_IF_ERROR(Spend());
  return inner_.Query(sql, params);
}
Result<int64_t> OneStatementConnection::Exec(std::string_view sql,
                                             const std::vector<Value>& params) {
  OW_RETURN_IF_ERROR(Spend());
  return inner_.Exec(sql, params);
}
Status OneStatementConnection::ExecScript(std::string_view sql) {
  OW_RETURN_IF_ERROR(Spend());
  return inner_.ExecScript(sql);
}

}  // namespace ow::db
