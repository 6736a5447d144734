// CurlTransport: the production Transport. One libcurl easy handle is reused
// for every exchange so the connection to the hub stays alive across requests
// (a new TCP/TLS handshake costs seconds on the halls' mobile links); curl's
// failures become Status values classified for retry and for technicians.
// Thread-compatible: one thread at a time per transport.
#include <curl/curl.h>
#include <strings.h>

#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>

#include "sync/api/clock.h"
#include "sync/api/transport.h"

namespace hallsync {
namespace {

// TCP keepalive probes keep the mobile carrier's NAT mapping of an idle
// keep-alive connection from expiring between sync sessions.
constexpr long kKeepIdleSeconds = 60;
constexpr long kKeepIntervalSeconds = 20;

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// "host:port" of a URL for messages ("hub.example:8443"); the URL itself when
// curl cannot parse it, so the message still names what was tried.
std::string host_port_of(const std::string& url) {
  std::unique_ptr<CURLU, UrlDeleter> parsed(curl_url());
  if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return url;
  char* host = nullptr;
  char* port = nullptr;
  std::string out = url;
  if (curl_url_get(parsed.get(), CURLUPART_HOST, &host, 0) == CURLUE_OK &&
      curl_url_get(parsed.get(), CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
    out = std::string(host) + ":" + port;
  curl_free(host);
  curl_free(port);
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// Callbacks are called from inside C code: nothing may throw out of them.
// Returning a short count makes curl abort with CURLE_WRITE_ERROR.
size_t on_body(char* data, size_t size, size_t count, void* user) {
  try {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
  } catch (...) {
    return 0;
  }
}

// The response's headers, and whether their block ended (the blank line).
// Curl accepts a connection closed inside the header block as a complete
// response with an empty body (a link cut after "HTTP/1.1 200 OK\r\n..."
// arrives as a 200), so the transport checks for the end itself.
struct HeaderSink {
  HeaderList* headers = nullptr;
  bool ended = false;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  try {
    auto* sink = static_cast<HeaderSink*>(user);
    HeaderList* headers = sink->headers;
    const std::string_view line = trim(std::string_view(data, size * count));
    // A status line starts a new response (after a 1xx interim one): keep
    // only the final response's headers.
    if (line.substr(0, 5) == "HTTP/") {
      headers->clear();
      sink->ended = false;
    } else if (line.empty()) {
      sink->ended = true;
    } else if (const std::size_t colon = line.find(':'); colon != std::string_view::npos && colon > 0) {
      headers->emplace_back(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
    }
    return size * count;
  } catch (...) {
    return 0;
  }
}

// Bytes that crossed the connection, headers included.
struct WireCount {
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
};

// Counts on-the-wire HTTP bytes as curl moves them. CURLINFO_REQUEST_SIZE plus
// the upload size would count a small POST body twice (curl sends it in the
// same write as the headers and reports it in both), so we count here instead.
int on_debug(CURL*, curl_infotype type, char*, size_t size, void* user) {
  auto* count = static_cast<WireCount*>(user);
  // If-chains, not switches: curl's enums are long and grow with releases.
  if (type == CURLINFO_HEADER_OUT || type == CURLINFO_DATA_OUT) count->sent += size;
  if (type == CURLINFO_HEADER_IN || type == CURLINFO_DATA_IN) count->received += size;
  return 0;
}

// Curl's progress callback: a non-zero return aborts the transfer
// (CURLE_ABORTED_BY_CALLBACK). Must not throw into C.
int on_xferinfo(void* user, curl_off_t, curl_off_t dl_now, curl_off_t, curl_off_t ul_now) {
  try {
    const auto& keep_going = *static_cast<const std::function<bool(std::uint64_t)>*>(user);
    return keep_going(static_cast<std::uint64_t>(dl_now + ul_now)) ? 0 : 1;
  } catch (...) {
    return 1;
  }
}

class CurlTransport final : public Transport {
 public:
  explicit CurlTransport(const CurlTransportOptions& options)
      : options_(options), host_port_(host_port_of(options.base_url)), easy_(curl_easy_init()) {
    while (!options_.base_url.empty() && options_.base_url.back() == '/') options_.base_url.pop_back();
  }

  Result<HttpResponse> exchange(const HttpRequest& request) override {
    if (!easy_) return Status::internal("libcurl could not create a handle (out of memory?)");
    CURL* h = easy_.get();
    // Reset clears the previous exchange's options but keeps the connection
    // cache, so the next request reuses the open connection.
    curl_easy_reset(h);
    error_buffer_[0] = '\0';
    HttpResponse response;
    std::unique_ptr<curl_slist, SlistDeleter> headers;
    const std::string url = options_.base_url + request.target;
    if (Status s = configure(h, request, url, response, headers); !s.is_ok()) return s;

    const auto started = std::chrono::steady_clock::now();
    const CURLcode rc = curl_easy_perform(h);
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    if (rc != CURLE_OK) {
      long os_errno = 0;
      curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
      return classify(rc, elapsed.count(), static_cast<int>(os_errno));
    }
    if (!header_sink_.ended)
      return Status::network("connection to " + host_port_ + " broke inside the answer's headers").with_code("reset");
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    return response;
  }

  std::uint64_t bytes_sent() const override { return wire_.sent; }
  std::uint64_t bytes_received() const override { return wire_.received; }

 private:
  Status configure(CURL* h, const HttpRequest& request, const std::string& url, HttpResponse& response,
                   std::unique_ptr<curl_slist, SlistDeleter>& headers) {
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
#if CURL_AT_LEAST_VERSION(7, 85, 0)
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for DNS timeouts: we are multi-threaded
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer_);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, options_.connect_timeout_ms);
    const long total_ms = request.timeout_ms > 0 ? std::min(request.timeout_ms, options_.total_timeout_ms)
                                                 : options_.total_timeout_ms;
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, total_ms);
    if (options_.keep_going) {
      curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_xferinfo);
      curl_easy_setopt(h, CURLOPT_XFERINFODATA, &options_.keep_going);
      curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    }
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, options_.low_speed_limit_bytes);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, options_.low_speed_time_s);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, kKeepIdleSeconds);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, kKeepIntervalSeconds);
    // Peer and host verification stay at curl's secure defaults, always.
    if (!options_.ca_file.empty() && curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str()) != CURLE_OK)
      return Status::tls("libcurl refused the CA file setting " + options_.ca_file).with_code("tls_verify");
    if (!options_.pinned_public_key.empty() &&
        curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, options_.pinned_public_key.c_str()) != CURLE_OK)
      // Never talk to the hub unpinned when a pin was configured.
      return Status::tls("this libcurl cannot pin the hub's public key").with_code("tls_verify");

    bool has_content_type = false;
    for (const auto& [name, value] : request.headers) {
      if (strcasecmp(name.c_str(), "Content-Type") == 0) has_content_type = true;
      // curl drops "Name:" with an empty value; "Name;" sends it empty.
      const std::string line = value.empty() ? name + ";" : name + ": " + value;
      if (!append_header(headers, line)) return Status::internal("out of memory building request headers");
    }
    // No "Expect: 100-continue" round trip on large posts (a whole RTT on a
    // slow link), and no made-up form Content-Type when the caller set none.
    if (!append_header(headers, "Expect:")) return Status::internal("out of memory building request headers");
    if (!has_content_type && !append_header(headers, "Content-Type:"))
      return Status::internal("out of memory building request headers");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());

    if (request.method == "GET") {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (request.method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      // Size first and explicit: the body is binary and may hold NUL bytes.
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      if (request.method != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    header_sink_ = {&response.headers, false};
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &header_sink_);
    // Verbose only feeds on_debug (it prints nothing with a debug function set).
    curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(h, CURLOPT_DEBUGDATA, &wire_);
    curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
    return Status::ok();
  }

  static bool append_header(std::unique_ptr<curl_slist, SlistDeleter>& list, const std::string& line) {
    curl_slist* grown = curl_slist_append(list.get(), line.c_str());
    if (!grown) return false;
    list.release();  // `grown` is the same list with one more node
    list.reset(grown);
    return true;
  }

  // `os_errno` is the socket error behind a failure, if any: curl's own text
  // says "Couldn't connect to server" where a technician needs "Connection refused".
  Status classify(CURLcode rc, long long elapsed_ms, int os_errno) const {
    std::string detail = error_buffer_[0] ? std::string(error_buffer_) : std::string(curl_easy_strerror(rc));
    if (os_errno != 0) detail = std::generic_category().message(os_errno) + "; " + detail;
    const std::string where = host_port_;
    const auto is = [rc](std::initializer_list<CURLcode> codes) {
      return std::find(codes.begin(), codes.end(), rc) != codes.end();
    };
    if (is({CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY}))
      return Status::network("cannot resolve the hub's address " + where + " (" + detail + ")").with_code("dns");
    if (rc == CURLE_COULDNT_CONNECT)
      return Status::network("cannot connect to " + where + " (" + detail + ")").with_code("connect");
    if (rc == CURLE_OPERATION_TIMEDOUT) {
      // Curl reports the low-speed limit and the total timeout alike; only
      // its message tells them apart.
      if (std::string_view(error_buffer_).find("too slow") != std::string_view::npos)
        return Status::network("transfer with " + where + " stalled: under " +
                               std::to_string(options_.low_speed_limit_bytes) + " bytes/s for " +
                               std::to_string(options_.low_speed_time_s) + " s (" + detail + ")")
            .with_code("stalled");
      return Status::network("no complete answer from " + where + " after " + std::to_string(elapsed_ms) + " ms (" +
                             detail + ")")
          .with_code("timeout");
    }
    if (rc == CURLE_ABORTED_BY_CALLBACK)
      return Status::network("transfer with " + where + " was abandoned after " + std::to_string(elapsed_ms) +
                             " ms (stopping, or no progress)")
          .with_code("cancelled");
    if (is({CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE}))
      return Status::network("connection to " + where + " broke before the answer was complete (" + detail + ")")
          .with_code("reset");
    // A certificate that looks expired or not yet valid to a PC whose clock is
    // years off (a dead CMOS battery) is the common case at the halls: say so,
    // with this PC's time, so the technician sets the clock, not the CA.
    if (rc == CURLE_PEER_FAILED_VERIFICATION && (detail.find("expired") != std::string::npos ||
                                                 detail.find("not yet valid") != std::string::npos))
      return Status::tls("the hub's certificate at " + where + " is outside its validity period by this PC's clock (" +
                         detail + "); this PC's clock says " + utc_timestamp(SystemClock::instance().now_ms()) +
                         ": if that is wrong, set the clock (hallctl doctor shows the hub's time)")
          .with_code("tls_clock");
    if (is({CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_PINNEDPUBKEYNOTMATCH}))
      return Status::tls("the hub's certificate at " + where + " was not accepted (" + detail +
                         "); check the CA file or key pin and this PC's date and time")
          .with_code("tls_verify");
    if (rc == CURLE_SSL_CONNECT_ERROR)
      return Status::tls("TLS handshake with " + where + " failed (" + detail + ")").with_code("tls_handshake");
    const std::string number = std::to_string(static_cast<int>(rc));
    return Status::network("request to " + where + " failed: curl error " + number + " (" + detail + ")")
        .with_code("curl_" + number);
  }

  CurlTransportOptions options_;
  std::string host_port_;
  std::unique_ptr<CURL, EasyDeleter> easy_;
  char error_buffer_[CURL_ERROR_SIZE] = {};
  WireCount wire_;  // accumulated over every exchange, failed ones too
  HeaderSink header_sink_;  // the current exchange's
};

}  // namespace

std::unique_ptr<Transport> make_curl_transport(const CurlTransportOptions& options) {
  global_init_once();
  return std::make_unique<CurlTransport>(options);
}

}  // namespace hallsync
