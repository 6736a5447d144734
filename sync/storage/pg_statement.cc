// The PostgreSQL half of hallsync::Statement and Database: binding values as
// text (bytea as binary), stepping through a fetched result, reading columns.
// Results come back as text: bigint parsed, boolean 't'/'f' read as 1/0 (as
// SQLite returns comparisons), bytea unescaped from its hex form.
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <libpq-fe.h>

#include "sync/api/database.h"
#include "sync/storage/pg_connection.h"

namespace hallsync {
namespace {
constexpr Oid kByteaOid = 17;
constexpr Oid kBoolOid = 16;

Status set_param(storage::PgCall& call, int index, std::string value, bool binary) {
  if (index < 1 || static_cast<std::size_t>(index) > call.values.size())
    return Status::internal("bind parameter " + std::to_string(index) + ": out of range for " + call.sql);
  auto i = static_cast<std::size_t>(index - 1);
  if (call.executed) call.clear_result();  // rebinding starts a new execution, as sqlite3_reset would
  call.values[i] = std::move(value);
  call.is_null[i] = 0;
  call.is_binary[i] = binary ? 1 : 0;
  return Status::ok();
}

const char* cell(const storage::PgCall& call, int col) {
  if (!call.result || call.row < 0 || call.row >= call.rows || col >= PQnfields(call.result)) return nullptr;
  if (PQgetisnull(call.result, call.row, col)) return nullptr;
  return PQgetvalue(call.result, call.row, col);
}
}  // namespace

Statement::Statement(Database* db, std::unique_ptr<storage::PgCall> call)
    : db_(db), sql_(call->sql), stmt_(nullptr), pg_(std::move(call)) {}

Result<std::unique_ptr<Database>> Database::open_url(const std::string& url) {
  if (!is_postgres_url(url))
    return Status::validation("store URL " + storage::redact_url(url) + " is not postgresql://…");
  HALLSYNC_ASSIGN_OR_RETURN(auto conn, storage::PgConnection::connect(url));
  std::unique_ptr<Database> db(new Database(nullptr, conn->display_url()));
  db->pg_ = std::move(conn);
  return db;
}

bool Database::is_postgres_url(std::string_view url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

namespace storage {

// Entry points database.cc calls when the Statement is PostgreSQL's.
Status pg_bind_int(PgCall& call, int index, std::int64_t value) { return set_param(call, index, std::to_string(value), false); }
Status pg_bind_double(PgCall& call, int index, double value) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", value);
  return set_param(call, index, buf, false);
}
Status pg_bind_text(PgCall& call, int index, std::string_view text) {
  if (text.find('\0') != std::string_view::npos)
    return Status::validation("text with a NUL byte cannot be stored in PostgreSQL (parameter " + std::to_string(index) + ")");
  return set_param(call, index, std::string(text), false);
}
Status pg_bind_blob(PgCall& call, int index, const void* data, std::size_t size) {
  return set_param(call, index, std::string(static_cast<const char*>(data), size), true);
}
Status pg_bind_null(PgCall& call, int index) {
  HALLSYNC_RETURN_IF_ERROR(set_param(call, index, std::string(), false));
  call.is_null[static_cast<std::size_t>(index - 1)] = 1;
  return Status::ok();
}

Result<std::string> pg_array_literal(const std::vector<std::string>& values) {
  std::size_t size = 2;
  for (const auto& v : values) size += v.size() + 3;
  std::string out;
  out.reserve(size + size / 16);
  out += '{';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    // Every element quoted: an empty string, a comma or the word NULL then
    // stay the text they are.
    out += '"';
    for (char c : values[i]) {
      if (c == '\0')
        return Status::validation("text with a NUL byte cannot be stored in PostgreSQL (array element " +
                                  std::to_string(i + 1) + ")");
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

Status pg_bind_array(PgCall& call, int index, const std::vector<std::string>& values) {
  HALLSYNC_ASSIGN_OR_RETURN(std::string literal, pg_array_literal(values));
  return set_param(call, index, std::move(literal), false);
}

Result<bool> pg_step(PgConnection& conn, PgCall& call) {
  // After the last row a further step runs the statement again, as SQLite does.
  if (!call.executed || call.row >= call.rows) HALLSYNC_RETURN_IF_ERROR(conn.execute(call));
  ++call.row;
  return call.row < call.rows;
}

std::int64_t pg_column_int(const PgCall& call, int col) {
  const char* v = cell(call, col);
  if (!v) return 0;
  if (PQftype(call.result, col) == kBoolOid) return *v == 't' ? 1 : 0;
  std::int64_t out = 0;
  std::from_chars(v, v + std::strlen(v), out);
  return out;
}

double pg_column_double(const PgCall& call, int col) {
  const char* v = cell(call, col);
  return v ? std::strtod(v, nullptr) : 0.0;
}

std::vector<std::uint8_t> pg_column_blob(const PgCall& call, int col) {
  const char* v = cell(call, col);
  if (!v) return {};
  if (PQftype(call.result, col) != kByteaOid) {
    auto n = static_cast<std::size_t>(PQgetlength(call.result, call.row, col));
    return std::vector<std::uint8_t>(v, v + n);
  }
  std::size_t n = 0;
  unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(v), &n);
  if (!raw) return {};
  std::vector<std::uint8_t> out(raw, raw + n);
  PQfreemem(raw);
  return out;
}

std::string pg_column_text(const PgCall& call, int col) {
  if (!call.result) return {};
  if (PQftype(call.result, col) == kByteaOid) {
    auto b = pg_column_blob(call, col);
    return std::string(b.begin(), b.end());
  }
  const char* v = cell(call, col);
  return v ? std::string(v, static_cast<std::size_t>(PQgetlength(call.result, call.row, col))) : std::string();
}

bool pg_column_is_null(const PgCall& call, int col) { return cell(call, col) == nullptr; }

}  // namespace storage
}  // namespace hallsync
