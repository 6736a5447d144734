// Session tokens and sign-in lockouts (see staff_sessions.h).
#include "client/daemon/staff_sessions.h"

#include <sodium.h>

namespace hallsync::client::daemon {

std::string StaffSessions::open(const StaffAccount& account, std::int64_t now_ms) {
  // Expired sessions are swept here so the table cannot grow without bound.
  for (auto it = sessions_.begin(); it != sessions_.end();)
    it = now_ms - it->second.last_seen_ms > limits_.idle_timeout_ms ? sessions_.erase(it) : std::next(it);
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);  // check_login has run sodium_init
  char hex[sizeof raw * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  sessions_[hex] = {account, now_ms};
  return hex;
}

const StaffSession* StaffSessions::find(const std::string& token, std::int64_t now_ms, std::string* expired) {
  if (token.empty()) return nullptr;
  auto it = sessions_.find(token);
  if (it == sessions_.end()) return nullptr;
  if (now_ms - it->second.last_seen_ms > limits_.idle_timeout_ms) {
    if (expired) *expired = it->second.account.clerk_id;
    sessions_.erase(it);
    return nullptr;
  }
  it->second.last_seen_ms = now_ms;
  return &it->second;
}

void StaffSessions::close(const std::string& token) { sessions_.erase(token); }

std::int64_t StaffSessions::locked_for(const std::string& clerk_id, std::int64_t now_ms) const {
  auto it = failures_.find(clerk_id);
  if (it == failures_.end() || it->second.locked_until_ms <= now_ms) return 0;
  return it->second.locked_until_ms - now_ms;
}

bool StaffSessions::record_failure(const std::string& clerk_id, std::int64_t now_ms) {
  // Bounded: guessing many ids must not grow the table without end; ids not
  // locked right now lose their count first.
  if (failures_.size() >= 10'000)
    for (auto it = failures_.begin(); it != failures_.end();)
      it = it->second.locked_until_ms > now_ms ? std::next(it) : failures_.erase(it);
  Failures& f = failures_[clerk_id];
  if (f.locked_until_ms && f.locked_until_ms <= now_ms) f = {};  // a lockout served starts a fresh count
  if (++f.count < limits_.max_failures) return false;
  const bool starts = f.locked_until_ms <= now_ms;  // not already locked (a locked id is refused before this)
  f.locked_until_ms = now_ms + limits_.lockout_ms;
  return starts;
}

std::string cookie_value(const std::string& header, const std::string& name) {
  std::size_t pos = 0;
  while (pos < header.size()) {
    std::size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::size_t start = header.find_first_not_of(' ', pos);
    if (start < end && header.compare(start, name.size() + 1, name + "=") == 0)
      return header.substr(start + name.size() + 1, end - start - name.size() - 1);
    pos = end + 1;
  }
  return {};
}

}  // namespace hallsync::client::daemon
