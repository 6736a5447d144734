// Reading halld's configuration: defaults, file, flags (see daemon_config.h).
#include "client/daemon/daemon_config.h"

#include <arpa/inet.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace hallsync::client::daemon {
namespace {

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// A whole number of `unit` (seconds, days) within [min, max].
Status parse_whole(const std::string& text, int min, int max, const std::string& what, const char* unit, int& out) {
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < min || v > max)
    return Status::validation(what + ": expected whole " + unit + " from " + std::to_string(min) + " to " +
                              std::to_string(max) + ", got \"" + text + "\"");
  out = v;
  return Status::ok();
}

Status parse_seconds(const std::string& text, int min, int max, const std::string& what, int& out) {
  return parse_whole(text, min, max, what, "seconds", out);
}

Status apply_setting(const std::string& key, const std::string& value, const std::string& where, DaemonConfig& c) {
  if (key == "listen") {
    if (value.empty()) return Status::validation(where + ": listen needs a value (host:port)");
    c.listen = value;
    return Status::ok();
  }
  for (auto [name, field] : {std::pair{"lan_listen", &c.lan_listen}, std::pair{"tls_cert", &c.tls_cert},
                              std::pair{"tls_key", &c.tls_key}})
    if (key == name) {
      if (value.empty()) return Status::validation(where + ": " + key + " needs a value");
      *field = value;
      return Status::ok();
    }
  if (key == "sync_period_s") return parse_seconds(value, 1, 86400, where + ": sync_period_s", c.sync_period_s);
  if (key == "debounce_s") return parse_seconds(value, 0, 3600, where + ": debounce_s", c.debounce_s);
  if (key == "stall_timeout_s") return parse_seconds(value, 1, 3600, where + ": stall_timeout_s", c.stall_timeout_s);
  if (key == "blob_gc_period_s")
    return parse_seconds(value, 1, 30 * 86400, where + ": blob_gc_period_s", c.blob_gc_period_s);
  // Whole days, 1 at least: a shorter grace could take a file an attach is still committing.
  if (key == "blob_gc_grace_days")
    return parse_whole(value, 1, 3650, where + ": blob_gc_grace_days", "days", c.blob_gc_grace_days);
  // Six months at least (网络安全法 art. 21); the schema refuses a shorter purge anyway.
  if (key == "audit_retention_days")
    return parse_whole(value, 184, 3650, where + ": audit_retention_days", "days", c.audit_retention_days);
  // 0 keeps this PC's scans for ever.
  if (key == "scan_retention_days")
    return parse_whole(value, 0, 3650, where + ": scan_retention_days", "days", c.scan_retention_days);
  return Status::validation(where + ": unknown key \"" + key +
                            "\" (known: listen, lan_listen, tls_cert, tls_key, sync_period_s, debounce_s, "
                            "stall_timeout_s, blob_gc_period_s, blob_gc_grace_days, audit_retention_days, "
                            "scan_retention_days)");
}

}  // namespace

Status apply_config_text(const std::string& text, const std::string& origin, DaemonConfig& config) {
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    std::string where = origin + ":" + std::to_string(n);
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    line = trim(line);
    if (line.empty()) continue;
    auto eq = line.find('=');
    if (eq == std::string::npos) return Status::validation(where + ": expected \"key = value\"");
    HALLSYNC_RETURN_IF_ERROR(apply_setting(trim(line.substr(0, eq)), trim(line.substr(eq + 1)), where, config));
  }
  return Status::ok();
}

bool is_loopback_listen(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = listen.substr(0, colon);
  if (host == "localhost") return true;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    in6_addr a6{};
    return inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
  }
  in_addr a4{};
  return inet_pton(AF_INET, host.c_str(), &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

Result<std::string> configured_listen(const std::string& data_dir) {
  DaemonConfig c;
  std::string file = (std::filesystem::path(data_dir) / kConfigFile).string();
  std::ifstream in(file);
  if (in) {
    std::stringstream text;
    text << in.rdbuf();
    HALLSYNC_RETURN_IF_ERROR(apply_config_text(text.str(), file, c));
  }
  return c.listen;
}

std::string usage_text() {
  return "usage: halld --data-dir DIR [--listen 127.0.0.1:PORT] [--sync-period SECONDS] [--config FILE]\n"
         "  the always-on hall daemon: local JSON API on loopback, background sync with the hub\n"
         "  config file (default DIR/halld.conf): key = value lines, # comments;\n"
         "  keys: listen, lan_listen, tls_cert, tls_key, sync_period_s, debounce_s, stall_timeout_s,\n"
         "        blob_gc_period_s, blob_gc_grace_days, audit_retention_days, scan_retention_days;\n"
         "  flags override the file\n";
}

Result<DaemonConfig> load_config(const std::vector<std::string>& args) {
  DaemonConfig c;
  std::string listen_flag, period_flag;
  bool has_listen = false, has_period = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      c.help = true;
      return c;
    }
    std::string name = a, value;
    bool inline_value = false;
    if (auto eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      inline_value = true;
    }
    if (name != "--data-dir" && name != "--listen" && name != "--sync-period" && name != "--config")
      return Status::validation("unknown argument \"" + a + "\"");
    if (!inline_value) {
      if (i + 1 >= args.size()) return Status::validation(name + " needs a value");
      value = args[++i];
    }
    if (name == "--data-dir") c.data_dir = value;
    else if (name == "--config") c.config_file = value;
    else if (name == "--listen") listen_flag = value, has_listen = true;
    else period_flag = value, has_period = true;
  }
  if (c.data_dir.empty()) return Status::validation("--data-dir is required");
  bool explicit_file = !c.config_file.empty();
  if (!explicit_file) c.config_file = (std::filesystem::path(c.data_dir) / kConfigFile).string();
  std::ifstream in(c.config_file);
  if (in) {
    std::stringstream text;
    text << in.rdbuf();
    HALLSYNC_RETURN_IF_ERROR(apply_config_text(text.str(), c.config_file, c));
  } else if (explicit_file) {
    return Status::validation("cannot read config file " + c.config_file);
  } else {
    c.config_file.clear();  // the default file is optional
  }
  if (has_listen) HALLSYNC_RETURN_IF_ERROR(apply_setting("listen", listen_flag, "--listen", c));
  if (has_period) HALLSYNC_RETURN_IF_ERROR(apply_setting("sync_period_s", period_flag, "--sync-period", c));
  if (!is_loopback_listen(c.listen))
    return Status::validation("refusing to listen on " + c.listen +
                              ": `listen` is plain HTTP and loopback only; for the hall's other PCs set lan_listen, "
                              "tls_cert and tls_key (LAN mode is HTTPS only)");
  if (!c.lan_listen.empty() && (c.tls_cert.empty() || c.tls_key.empty()))
    return Status::validation("lan_listen = " + c.lan_listen +
                              " needs tls_cert and tls_key (PEM files): LAN mode is HTTPS only, never plain HTTP");
  if (c.lan_listen.empty() && (!c.tls_cert.empty() || !c.tls_key.empty()))
    return Status::validation("tls_cert/tls_key are for LAN mode only: set lan_listen too, or remove them");
  return c;
}

}  // namespace hallsync::client::daemon
