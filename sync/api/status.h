// Status: a classified error value. Every failure that crosses a component
// boundary is one of these, carrying a message a person can act on.
#pragma once

#include <string>
#include <string_view>

namespace hallsync {

// What kind of failure this is; decides retry and who must act.
enum class ErrorKind {
  Ok,
  Network,     // DNS, connect, timeout, reset: retry later
  Tls,         // certificate or handshake: a technician must act
  Auth,        // credentials refused: enrollment or revocation
  Protocol,    // the peer sent something we cannot accept
  Storage,     // local database or disk
  Validation,  // bad input from a person: fix the input
  Conflict,    // the operation is not allowed in the current state
  NotFound,    // the named thing does not exist
  Internal,    // a bug: report it
};

std::string_view error_kind_name(ErrorKind kind);

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status ok() { return Status(); }
  static Status network(std::string msg) { return {ErrorKind::Network, std::move(msg)}; }
  static Status tls(std::string msg) { return {ErrorKind::Tls, std::move(msg)}; }
  static Status auth(std::string msg) { return {ErrorKind::Auth, std::move(msg)}; }
  static Status protocol(std::string msg) { return {ErrorKind::Protocol, std::move(msg)}; }
  static Status storage(std::string msg) { return {ErrorKind::Storage, std::move(msg)}; }
  static Status validation(std::string msg) { return {ErrorKind::Validation, std::move(msg)}; }
  static Status conflict(std::string msg) { return {ErrorKind::Conflict, std::move(msg)}; }
  static Status not_found(std::string msg) { return {ErrorKind::NotFound, std::move(msg)}; }
  static Status internal(std::string msg) { return {ErrorKind::Internal, std::move(msg)}; }

  bool is_ok() const { return kind_ == ErrorKind::Ok; }
  explicit operator bool() const { return is_ok(); }
  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }

  // True when the same call may succeed later without anyone changing anything.
  bool is_transient() const;

  // A finer, stable code for technicians and sync history ("dns", "connect",
  // "timeout", "tls_verify", "http_503", ...); empty when the kind says enough.
  const std::string& code() const { return code_; }
  Status with_code(std::string code) const {
    Status s = *this;
    s.code_ = std::move(code);
    return s;
  }

  // "storage: disk is full" — for logs and technician output.
  std::string to_string() const;

  // Returns a copy whose message is prefixed with context ("push batch 3: ...").
  Status with_context(std::string_view context) const;

 private:
  Status(ErrorKind kind, std::string msg) : kind_(kind), message_(std::move(msg)) {}
  ErrorKind kind_ = ErrorKind::Ok;
  std::string message_;
  std::string code_;
};

}  // namespace hallsync

// Propagates a non-OK Status from the current function.
#define HALLSYNC_RETURN_IF_ERROR(expr)            \
  do {                                            \
    ::hallsync::Status hallsync_status_ = (expr); \
    if (!hallsync_status_.is_ok()) return hallsync_status_; \
  } while (0)
