// The doctor's path to the hub, one step at a time, so the first failing step
// names the problem: DNS, TCP, TLS, HTTP (/v1/health), authentication (an
// empty pull), epoch, clock.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <regex>

#include "client/diagnostics/doctor.h"
#include "client/enrollment/hub_link.h"
#include "client/store/hall_store.h"
#include "sync/api/change_log.h"
#include "sync/api/clock_anchor.h"
#include "sync/api/replicator.h"

namespace hallsync::client::diagnostics {
namespace {

struct HubUrl {
  std::string scheme, host, port;
};

Result<HubUrl> parse_url(const std::string& url) {
  static const std::regex shape(R"(^(https?)://(\[[^\]]+\]|[^:/]+)(?::([0-9]{1,5}))?(/.*)?$)");
  std::smatch m;
  if (!std::regex_match(url, m, shape)) return Status::validation("hub URL '" + url + "' is not http(s)://host[:port]");
  HubUrl u{m[1], m[2], m[3]};
  if (u.host.front() == '[') u.host = u.host.substr(1, u.host.size() - 2);
  if (u.port.empty()) u.port = u.scheme == "https" ? "443" : "80";
  return u;
}

// Connects with a deadline; returns "" on success or why it failed.
std::string tcp_connect(const addrinfo* a, long timeout_ms) {
  int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
  if (fd < 0) return std::strerror(errno);
  std::string why;
  if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
    if (errno != EINPROGRESS) {
      why = std::strerror(errno);
    } else {
      pollfd p{fd, POLLOUT, 0};
      int n = ::poll(&p, 1, static_cast<int>(timeout_ms));
      int err = 0;
      socklen_t len = sizeof err;
      if (n == 0) why = "no answer within " + std::to_string(timeout_ms) + " ms";
      else if (n < 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) why = std::strerror(errno);
      else if (err != 0) why = std::strerror(err);
    }
  }
  ::close(fd);
  return why;
}

std::string address_text(const addrinfo* a) {
  char host[NI_MAXHOST] = "?";
  ::getnameinfo(a->ai_addr, a->ai_addrlen, host, sizeof host, nullptr, 0, NI_NUMERICHOST);
  return host;
}

void skip_rest(std::vector<Check>& out, std::initializer_list<const char*> names, const std::string& why) {
  for (const char* n : names) out.push_back({n, Mark::NotApplicable, "not tried: " + why, ""});
}

std::string offset_text(std::int64_t ms) {
  std::int64_t s = ms / 1000;
  std::string sign = s < 0 ? "behind" : "ahead of";
  if (s < 0) s = -s;
  return std::to_string(s / 3600) + " h " + std::to_string(s / 60 % 60) + " min " + std::to_string(s % 60) + " s " + sign;
}

// What to do when the hub's certificate fails only on time. The hub's clock
// cannot be read without a verified session (we never make an unverified
// one), so its time is estimated from the offset learned at the last sync.
std::string clock_fix(const std::string& data_dir, const Clock& clock) {
  std::string fix = "set this PC's date and time (a clock reset at every boot means a dead CMOS battery: replace it), then "
                    "run doctor again; verification stays on: sync waits, intake goes on offline";
  DatabaseOptions read;
  read.create = false;
  auto db = Database::open((std::filesystem::path(data_dir) / HallStore::kDatabaseFile).string(), read);
  if (!db) return fix;
  // Since the last sync in this boot, the boot clock carries the hub's time
  // exactly, however this PC's clock was set meanwhile (clock_anchor.h).
  auto anchor = read_clock_anchor(**db);
  if (anchor && *anchor)
    if (auto hub_now = hub_time_by_anchor(**anchor, BootClockFor(clock)))
      return "the hub's time now is about " + utc_timestamp(*hub_now) + " (carried from the last sync by this PC's " +
             "boot clock): " + fix;
  auto offset = read_sync_value(**db, kClockOffsetKey, 0);
  if (!offset || *offset == 0) return fix;
  return "at the last sync this PC's clock was " + offset_text(-*offset) + " the hub, so the hub's time now is about " +
         utc_timestamp(clock.now_ms() + *offset) + " (if this PC's clock has not been changed since): " + fix;
}

}  // namespace

std::vector<Check> hub_checks(const std::string& data_dir, const Clock& clock, const DoctorThresholds& t) {
  std::vector<Check> out;
  const auto all = {"hub.dns", "hub.tcp", "hub.tls", "hub.http", "hub.auth", "hub.epoch", "clock"};
  auto link = load_hub_link(data_dir);
  if (!link) {
    skip_rest(out, all, "no usable hub link (see config)");
    return out;
  }
  auto url = parse_url(link->hub_url);
  if (!url) {
    out.push_back({"hub.dns", Mark::Fail, url.status().message(), "fix the URL: `hallctl configure --hub URL --token TOKEN`"});
    skip_rest(out, {"hub.tcp", "hub.tls", "hub.http", "hub.auth", "hub.epoch", "clock"}, "bad hub URL");
    return out;
  }

  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = ::getaddrinfo(url->host.c_str(), url->port.c_str(), &hints, &found);
  if (rc != 0) {
    out.push_back({"hub.dns", Mark::Fail, "cannot resolve " + url->host + ": " + gai_strerror(rc),
                   "check the hub name in hub.conf and this PC's network/DNS settings (ping the hub by name)"});
    skip_rest(out, {"hub.tcp", "hub.tls", "hub.http", "hub.auth", "hub.epoch", "clock"}, "name not resolved");
    return out;
  }
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> addresses(found, ::freeaddrinfo);
  out.push_back({"hub.dns", Mark::Pass, url->host + " -> " + address_text(found), ""});

  std::string why = tcp_connect(found, t.network_timeout_ms);
  if (!why.empty()) {
    out.push_back({"hub.tcp", Mark::Fail, "cannot connect to " + address_text(found) + ":" + url->port + ": " + why,
                   "the hub is down, or the port in hub.conf is wrong, or a firewall blocks it: ask the district whether "
                   "hallhub runs, compare the port with theirs"});
    skip_rest(out, {"hub.tls", "hub.http", "hub.auth", "hub.epoch", "clock"}, "no TCP connection");
    return out;
  }
  out.push_back({"hub.tcp", Mark::Pass, "connected to " + address_text(found) + ":" + url->port, ""});

  CurlTransportOptions options = transport_options(*link);
  options.connect_timeout_ms = t.network_timeout_ms;
  options.total_timeout_ms = t.network_timeout_ms * 2;
  auto transport = make_curl_transport(options);
  HttpRequest health;
  health.method = "GET";
  health.target = "/v1/health";
  std::int64_t sent_ms = clock.now_ms();
  auto res = transport->exchange(health);
  std::int64_t received_ms = clock.now_ms();
  bool https = url->scheme == "https";
  if (!res && res.status().code() == "tls_clock") {
    out.push_back({"hub.tls", Mark::Fail, res.status().message() + " [tls_clock]", clock_fix(data_dir, clock)});
    skip_rest(out, {"hub.http", "hub.auth", "hub.epoch", "clock"}, "no TLS session");
    return out;
  }
  if (!res && res.status().kind() == ErrorKind::Tls) {
    out.push_back({"hub.tls", Mark::Fail, res.status().message() + " [" + res.status().code() + "]",
                   "the hub's certificate is not trusted or does not match its name: check ca_file in hub.conf and "
                   "this PC's clock; never turn verification off"});
    skip_rest(out, {"hub.http", "hub.auth", "hub.epoch", "clock"}, "no TLS session");
    return out;
  }
  if (https && !res) out.push_back({"hub.tls", Mark::NotApplicable, "no answer to judge the certificate by (see hub.http)", ""});
  else if (https) out.push_back({"hub.tls", Mark::Pass, "certificate verified", ""});
  else  // hub.conf refuses plain HTTP to any host but this PC (load_hub_link)
    out.push_back({"hub.tls", Mark::NotApplicable, "plain HTTP on loopback", ""});

  nlohmann::json body;
  if (res && res->status == 200) body = nlohmann::json::parse(res->body, nullptr, false);
  if (!res || res->status != 200 || !body.is_object() || !body.contains("epoch") || !body.contains("server_time_ms")) {
    std::string what = !res ? res.status().to_string() : "HTTP " + std::to_string(res->status) + " without a hub health answer";
    out.push_back({"hub.http", Mark::Fail, "GET /v1/health: " + what,
                   "something other than hallhub answers on this port (wrong port?), or the hub is broken: compare the "
                   "URL with the district's, ask them to check hallhub"});
    skip_rest(out, {"hub.auth", "hub.epoch", "clock"}, "no hub health answer");
    return out;
  }
  std::string epoch = body["epoch"].is_string() ? body["epoch"].get<std::string>() : "";
  out.push_back({"hub.http", Mark::Pass, "GET /v1/health ok (epoch " + epoch + ")", ""});

  // The hub's clock minus ours, from the health answer's midpoint.
  std::int64_t offset = body["server_time_ms"].get<std::int64_t>() - (sent_ms + received_ms) / 2;
  // Authentication: an empty pull (cursor far beyond the log) moves nothing.
  std::string device_id;
  std::string known_epoch;
  std::unique_ptr<Database> store_db;  // kept for the probe: whether this device signed before
  {
    // Read directly: the doctor never migrates the store.
    DatabaseOptions read;
    read.create = false;
    auto db = Database::open((std::filesystem::path(data_dir) / HallStore::kDatabaseFile).string(), read);
    auto stmt = db ? (*db)->prepare("SELECT (SELECT value FROM hall_meta WHERE key = 'hall_code') || '-' ||"
                                    " (SELECT value FROM hall_meta WHERE key = 'device_code')")
                   : Result<Statement>(db.status());
    if (stmt) {
      if (auto row = stmt->step(); row && *row && !stmt->column_is_null(0)) device_id = stmt->column_text(0);
    }
    if (db) {
      if (auto known = known_hub_epoch(**db)) known_epoch = *known;
      store_db = std::move(*db);
    }
  }
  if (device_id.empty()) {
    out.push_back({"hub.auth", Mark::NotApplicable, "not tried: the store (device identity) cannot be read", ""});
  } else {
    // Signed on the hub's time as the health answer just gave it: a PC whose
    // clock is off is still judged on its token, not on its clock.
    Status s = probe_authentication(*transport, {device_id, link->token}, clock, offset, store_db.get());
    if (s.is_ok()) {
      out.push_back({"hub.auth", Mark::Pass, "device " + device_id + " accepted", ""});
    } else if (s.code() == "revoked") {
      out.push_back({"hub.auth", Mark::Fail, "device revoked: " + s.message(),
                     "device revoked: re-enroll (district: `hallhub device add`; here: `hallctl configure --token NEW`)"});
    } else if (s.kind() == ErrorKind::Auth) {
      out.push_back({"hub.auth", Mark::Fail, s.message() + " [" + s.code() + "]",
                     "the token in hub.conf is wrong or for another device: get a new one (`hallhub device add`) and "
                     "run `hallctl configure`"});
    } else {
      out.push_back({"hub.auth", Mark::Fail, s.to_string(), "the hub refused a probe: report it with `hallctl export-diagnostics`"});
    }
  }

  if (known_epoch.empty()) out.push_back({"hub.epoch", Mark::Pass, "hub epoch " + epoch + " (this store never synced)", ""});
  else if (known_epoch == epoch) out.push_back({"hub.epoch", Mark::Pass, "same hub as at the last sync (" + epoch + ")", ""});
  else
    out.push_back({"hub.epoch", Mark::Fail, "the hub was reset or restored: epoch " + known_epoch + " -> " + epoch,
                   "sync is stopped on purpose: reconcile with `hallctl resync --rebuild --accept-epoch " + epoch +
                       "` (README: technician section)"});

  Check clock_check{"clock", Mark::Pass, "this PC is " + offset_text(-offset) + " the hub", ""};
  if (std::llabs(offset) > t.clock_fail_ms) clock_check.mark = Mark::Fail;
  else if (std::llabs(offset) > t.clock_warn_ms) clock_check.mark = Mark::Warn;
  if (clock_check.mark != Mark::Pass)
    clock_check.advice = "set this PC's clock (时间不准): deadlines and receipts use it; enable NTP (timedatectl set-ntp true)";
  out.push_back(clock_check);
  return out;
}

}  // namespace hallsync::client::diagnostics
