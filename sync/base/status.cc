// Status names and the transient/permanent classification used by retry logic.
#include "sync/api/status.h"

namespace hallsync {

std::string_view error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Ok: return "ok";
    case ErrorKind::Network: return "network";
    case ErrorKind::Tls: return "tls";
    case ErrorKind::Auth: return "auth";
    case ErrorKind::Protocol: return "protocol";
    case ErrorKind::Storage: return "storage";
    case ErrorKind::Validation: return "validation";
    case ErrorKind::Conflict: return "conflict";
    case ErrorKind::NotFound: return "not_found";
    case ErrorKind::Internal: return "internal";
  }
  return "unknown";
}

bool Status::is_transient() const {
  // Only the network heals by itself; everything else needs a change first.
  return kind_ == ErrorKind::Network;
}

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  std::string out(error_kind_name(kind_));
  out += ": ";
  out += message_;
  return out;
}

Status Status::with_context(std::string_view context) const {
  if (is_ok()) return *this;
  std::string msg(context);
  msg += ": ";
  msg += message_;
  Status out(kind_, std::move(msg));
  out.code_ = code_;  // context adds words, never changes the classification
  return out;
}

}  // namespace hallsync
