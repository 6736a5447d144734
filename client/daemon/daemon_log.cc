// Single-line, PII-redacted log output for halld (see daemon_log.h).
#include "client/daemon/daemon_log.h"

#include <cstdio>
#include <mutex>
#include <string>

#include "sync/api/redact.h"

namespace hallsync::client::daemon {

void log_line(LogLevel level, std::string_view message) {
  static std::mutex mu;
  std::string text = redact_pii(message);
  // One event, one line: a newline inside a message would split it for the journal.
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  const char* name = level == LogLevel::Info ? "info" : level == LogLevel::Warn ? "warn" : "error";
  std::string line = std::string("halld: level=") + name + " msg=" + text + "\n";
  std::lock_guard<std::mutex> lock(mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace hallsync::client::daemon
