// DaemonConfig: halld's settings — defaults, then DATA_DIR/halld.conf (or
// --config FILE), then command-line flags, which win. A config file is
// `key = value` lines with # comments; an unknown key or a bad value is an
// error naming the file and line (halld exits 2 rather than guess).
#pragma once

#include <string>
#include <vector>

#include "sync/api/result.h"

namespace hallsync::client::daemon {

struct DaemonConfig {
  std::string data_dir;
  std::string listen = "127.0.0.1:8480";
  int sync_period_s = 300;   // a sync session at least this often
  int debounce_s = 5;        // a sync this long after a write through the API
  int stall_timeout_s = 30;  // a transfer slower than 50 B/s for this long is abandoned (network/stalled)
  // Blob garbage collection (DATA_DIR/blobs): once a day, first ten minutes
  // after start (or after one period, if shorter); files unreferenced for
  // the grace period go. See client/store/blob_garbage.h.
  int blob_gc_period_s = 86400;
  int blob_gc_grace_days = 7;
  // This PC's copies of a closed case's scans go this long after its last
  // event (the hub keeps the archive); 0 keeps them for ever.
  int scan_retention_days = 180;
  // LAN mode: a second listener for the hall's other PCs (e.g. a supervisor's
  // browser), HTTPS only, from the hall's certificate and key. The loopback
  // `listen` stays plain HTTP for the PC's own tools. Empty: loopback only.
  std::string lan_listen;
  std::string tls_cert, tls_key;  // PEM files; required with lan_listen, refused without it
  // Audit log entries older than this go, in the same daily job (issue #7;
  // never fewer than 184 days: 网络安全法 art. 21). See client/store/audit_log.h.
  int audit_retention_days = 184;
  std::string config_file;   // the file read, empty if none
  bool help = false;
};

constexpr const char* kConfigFile = "halld.conf";

// The full configuration from argv (argv[0] is the program). Validation errors
// carry the offending flag, key or line.
Result<DaemonConfig> load_config(const std::vector<std::string>& args);

// Applies `key = value` lines to `config` (exposed for tests). `origin` names
// the file in messages.
Status apply_config_text(const std::string& text, const std::string& origin, DaemonConfig& config);

// True for a listen address on the loopback interface (127.0.0.0/8, ::1,
// localhost): `listen` must be one; anything else goes in `lan_listen`, with TLS.
bool is_loopback_listen(const std::string& listen);

// Where a halld on `data_dir` listens by its config file: `listen` from
// DATA_DIR/halld.conf, else the default (for `hall sync`, which talks to it).
Result<std::string> configured_listen(const std::string& data_dir);

std::string usage_text();

}  // namespace hallsync::client::daemon
