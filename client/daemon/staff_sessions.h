// Sign-in sessions of halld's web page: random tokens (the cookie's value)
// mapped to the signed-in clerk, dropped after an idle timeout; and the
// failed-sign-in count per clerk id, which locks that id for a while after a
// few wrong passwords. In memory: a halld restart signs everyone out (and
// clears lockouts) — a hall PC restarts rarely and the clerk signs in again.
// Used on the API's thread only (the HTTP server calls the API one request at
// a time), so it takes no lock.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "client/store/staff_accounts.h"

namespace hallsync::client::daemon {

struct StaffSession {
  StaffAccount account;
  std::int64_t last_seen_ms = 0;
};

struct SessionLimits {
  std::int64_t idle_timeout_ms = 30 * 60 * 1000;  // 30 min without a request signs out
  int max_failures = 5;                           // wrong passwords in a row before a lockout
  std::int64_t lockout_ms = 5 * 60 * 1000;        // how long the id stays locked
};

class StaffSessions {
 public:
  explicit StaffSessions(SessionLimits limits = {}) : limits_(limits) {}

  // A new session for `account`; returns its token (64 hex digits from libsodium's CSPRNG).
  std::string open(const StaffAccount& account, std::int64_t now_ms);
  // The session of `token` if it exists and was used within the idle timeout;
  // touching it restarts the idle clock. An expired session is dropped, and
  // its clerk id put in `expired` (for the audit log) when given.
  const StaffSession* find(const std::string& token, std::int64_t now_ms, std::string* expired = nullptr);
  void close(const std::string& token);

  // Milliseconds until `clerk_id` may try again; 0 when not locked.
  std::int64_t locked_for(const std::string& clerk_id, std::int64_t now_ms) const;
  // Counts a wrong password; true when this one started a lockout.
  bool record_failure(const std::string& clerk_id, std::int64_t now_ms);
  void record_success(const std::string& clerk_id) { failures_.erase(clerk_id); }

  const SessionLimits& limits() const { return limits_; }

 private:
  struct Failures {
    int count = 0;
    std::int64_t locked_until_ms = 0;
  };
  SessionLimits limits_;
  std::map<std::string, StaffSession> sessions_;
  std::map<std::string, Failures> failures_;
};

// The value of cookie `name` in a Cookie request header; empty when absent.
std::string cookie_value(const std::string& cookie_header, const std::string& name);

}  // namespace hallsync::client::daemon
