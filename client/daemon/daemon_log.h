// DaemonLog: halld's log lines on stderr, one per event, in the shape
// `halld: level=info msg=...`. Every message passes through redact_pii, so an
// ID or phone number that slips into an error text never reaches the journal.
// Safe to call from the server thread and the sync thread at once.
#pragma once

#include <string_view>

namespace hallsync::client::daemon {

enum class LogLevel { Info, Warn, Error };

void log_line(LogLevel level, std::string_view message);
inline void log_info(std::string_view m) { log_line(LogLevel::Info, m); }
inline void log_warn(std::string_view m) { log_line(LogLevel::Warn, m); }
inline void log_error(std::string_view m) { log_line(LogLevel::Error, m); }

}  // namespace hallsync::client::daemon
