// PostgreSQL connection: connect and reconnect, the prepared-statement cache,
// placeholder rewriting and the translation of SQLSTATEs into Status values.
#include "sync/storage/pg_connection.h"

#include <libpq-fe.h>

namespace hallsync::storage {

PgCall::~PgCall() { clear_result(); }

void PgCall::clear_result() {
  if (result) PQclear(result);
  result = nullptr;
  row = -1;
  rows = 0;
  executed = false;
}

std::string rewrite_placeholders(std::string_view sql, int* params) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (quote) {
      if (c == quote) quote = 0;  // a doubled quote reopens at once: still correct
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      while (i < sql.size() && sql[i] != '\n') out += sql[i++];
      if (i < sql.size()) out += '\n';
    } else if (c == '?') {
      out += '$' + std::to_string(++n);
    } else {
      out += c;
    }
  }
  if (params) *params = n;
  return out;
}

std::string redact_url(const std::string& url) {
  // postgresql://user:secret@host/db → postgresql://user:***@host/db
  auto scheme = url.find("://");
  auto at = url.find('@', scheme == std::string::npos ? 0 : scheme + 3);
  if (scheme == std::string::npos || at == std::string::npos) return url;
  auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

namespace {
// Quiet notices ("relation already exists, skipping"); the timeouts above.
// Our own integers: no parameters in SET, none needed.
std::string session_settings() {
  return "SET client_min_messages = warning; SET statement_timeout = " + std::to_string(kStatementTimeoutMs) +
         "; SET lock_timeout = " + std::to_string(kLockTimeoutMs);
}
}  // namespace

std::string url_with_database(const std::string& url, const std::string& name) {
  auto authority = url.find("://");
  auto query = url.find('?');
  auto slash = url.find('/', authority == std::string::npos ? 0 : authority + 3);
  if (query != std::string::npos && slash != std::string::npos && slash > query) slash = std::string::npos;
  std::size_t head = slash != std::string::npos ? slash : (query != std::string::npos ? query : url.size());
  return url.substr(0, head) + "/" + name + (query != std::string::npos ? url.substr(query) : std::string());
}

Result<std::unique_ptr<PgConnection>> PgConnection::connect(const std::string& url) {
  std::string shown = redact_url(url);
  pg_conn* conn = PQconnectdb(url.c_str());
  if (!conn) return Status::storage("cannot allocate a PostgreSQL connection").with_code("store_unavailable");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string why = PQerrorMessage(conn);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    PQfinish(conn);
    return Status::storage("cannot connect to PostgreSQL at " + shown + " (" + why +
                           "): check that the server runs and the URL, user and password are right")
        .with_code("store_unavailable");
  }
  std::unique_ptr<PgConnection> c(new PgConnection(conn, shown));
  // Notices would go to stderr.
  PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
  HALLSYNC_RETURN_IF_ERROR(c->exec(session_settings()));
  return c;
}

PgConnection::~PgConnection() { PQfinish(conn_); }

bool PgConnection::in_transaction() const {
  auto s = PQtransactionStatus(conn_);
  return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
}

bool PgConnection::in_failed_transaction() const { return PQtransactionStatus(conn_) == PQTRANS_INERROR; }

Status PgConnection::ensure_connected() {
  if (PQstatus(conn_) == CONNECTION_OK) return Status::ok();
  PQreset(conn_);
  prepared_.clear();  // server-side statements died with the old session
  if (PQstatus(conn_) == CONNECTION_OK) return exec(session_settings());
  return Status::storage("lost the connection to PostgreSQL at " + display_url_ + " and cannot reconnect (" +
                         PQerrorMessage(conn_) + "); nothing was applied, retry when the database is back")
      .with_code("store_unavailable");
}

Status PgConnection::error(std::string_view context, pg_result* result) const {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string sqlstate = state ? state : "";
  std::string detail = result ? PQresultErrorMessage(result) : PQerrorMessage(conn_);
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
  std::string msg = std::string(context) + ": ";
  std::string code;
  if (PQstatus(conn_) != CONNECTION_OK || sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P", 0) == 0 ||
      sqlstate.rfind("53", 0) == 0) {
    // Dead, restarting or out of resources: the transaction rolled back whole.
    msg += "PostgreSQL at " + display_url_ + " is unavailable; nothing was applied, retry later";
    code = "store_unavailable";
  } else if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03" || sqlstate == "57014") {
    msg += "PostgreSQL cancelled the transaction (serialization failure, deadlock, or a statement or lock wait "
           "over its time limit); nothing was applied, retry";
    code = "store_busy";
  } else if (sqlstate.rfind("23", 0) == 0) {
    msg += "constraint violated";
    code = "constraint";
  } else {
    msg += "PostgreSQL error";
  }
  if (!sqlstate.empty()) msg += " [" + sqlstate + "]";
  if (!detail.empty()) msg += " (" + detail + ")";
  Status s = Status::storage(std::move(msg));
  return code.empty() ? s : s.with_code(std::move(code));
}

Status PgConnection::exec(std::string_view sql) {
  if (!in_transaction()) HALLSYNC_RETURN_IF_ERROR(ensure_connected());
  std::string text(sql);
  pg_result* r = PQexec(conn_, text.c_str());
  auto st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  Status s = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? Status::ok() : error("exec", r);
  if (r) PQclear(r);
  return s;
}

Result<std::unique_ptr<PgCall>> PgConnection::prepare(std::string_view sql, bool per_call) {
  if (!in_transaction()) HALLSYNC_RETURN_IF_ERROR(ensure_connected());
  auto call = std::make_unique<PgCall>();
  call->sql = std::string(sql);
  // One cache for both kinds: a statement is used one way throughout.
  auto it = prepared_.find(call->sql);
  if (it == prepared_.end()) {
    int params = 0;
    std::string text = rewrite_placeholders(sql, &params);
    Prepared entry{{}, {}, params};
    if (per_call) {
      entry.text = std::move(text);
    } else {
      entry.name = "h" + std::to_string(prepared_.size() + 1);
      pg_result* r = PQprepare(conn_, entry.name.c_str(), text.c_str(), 0, nullptr);
      bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
      Status s = ok ? Status::ok() : error("prepare", r);
      if (r) PQclear(r);
      HALLSYNC_RETURN_IF_ERROR(s);
    }
    it = prepared_.emplace(call->sql, std::move(entry)).first;
  }
  call->name = it->second.name;
  call->text = it->second.text;
  auto n = static_cast<std::size_t>(it->second.params);
  call->values.assign(n, std::string());
  call->is_null.assign(n, 1);  // unbound parameters are NULL, as in SQLite
  call->is_binary.assign(n, 0);
  return call;
}

Status PgConnection::execute(PgCall& call) {
  call.clear_result();
  const auto n = call.values.size();
  std::vector<const char*> values(n);
  std::vector<int> lengths(n), formats(n);
  for (std::size_t i = 0; i < n; ++i) {
    values[i] = call.is_null[i] ? nullptr : call.values[i].data();
    lengths[i] = static_cast<int>(call.values[i].size());
    formats[i] = call.is_binary[i];
  }
  pg_result* r = call.name.empty()
                     ? PQexecParams(conn_, call.text.c_str(), static_cast<int>(n), nullptr, values.data(), lengths.data(),
                                    formats.data(), 0)
                     : PQexecPrepared(conn_, call.name.c_str(), static_cast<int>(n), values.data(), lengths.data(),
                                      formats.data(), 0);
  auto st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    Status s = error("sql step", r);
    if (r) PQclear(r);
    changes_ = 0;
    return s;
  }
  const char* affected = PQcmdTuples(r);
  changes_ = (affected && *affected) ? std::atoi(affected) : 0;
  call.result = r;
  call.rows = PQntuples(r);
  call.row = -1;
  call.executed = true;
  return Status::ok();
}

}  // namespace hallsync::storage
