// A small W3C WebDriver client for end-to-end tests of the web page: starts
// Debian's /usr/bin/chromedriver on a free loopback port, opens one headless
// Chromium session at 1366×768, and offers the few commands the tests use
// (navigate, find, type, click, read text, run a script, screenshot) over the
// project's curl transport. No browser download: only the distribution's
// chromium and chromium-driver (tools/setup.sh).
#pragma once

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sync/api/transport.h"
#include "tests/support/halld_process.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace hallsync::test {

constexpr const char* kChromedriver = "/usr/bin/chromedriver";
constexpr const char* kChromium = "/usr/bin/chromium";
// W3C key codes sent as text.
constexpr const char* kEnter = "\xee\x80\x87";      // U+E007
constexpr const char* kArrowDown = "\xee\x80\x95";  // U+E015
constexpr const char* kTab = "\xee\x80\x84";        // U+E004
constexpr const char* kAlt = "\xee\x80\x8a";        // U+E00A, held until kReleaseKeys
constexpr const char* kReleaseKeys = "\xee\x80\x80";  // U+E000

// A loopback port free right now (the kernel's pick, released at once).
inline std::string free_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return std::to_string(ntohs(addr.sin_port));
}

inline std::string base64_decode(const std::string& in) {
  std::string out;
  int val = 0, bits = -8;
  for (unsigned char c : in) {
    int d = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 : c >= '0' && c <= '9' ? c - '0' + 52
            : c == '+' ? 62 : c == '/' ? 63 : -1;
    if (d < 0) continue;
    val = (val << 6) | d;
    bits += 6;
    if (bits >= 0) {
      out += static_cast<char>((val >> bits) & 0xFF);
      bits -= 8;
    }
  }
  return out;
}

class Browser {
 public:
  // Starts chromedriver (log in `dir`) and a headless session.
  explicit Browser(TempDir& dir) {
    port_ = free_port();
    driver_ = std::make_unique<Background>(
        std::vector<std::string>{kChromedriver, "--port=" + port_, "--allowed-ips=127.0.0.1"}, dir.file("chromedriver.log"));
    INFO(driver_->log());
    REQUIRE_FALSE(driver_->wait_for("started successfully", std::chrono::seconds(20)).empty());
    http_ = std::make_unique<Api>(port_, 60'000);  // starting Chromium on a busy machine takes a while
    json caps = {{"capabilities",
                  {{"alwaysMatch",
                    {{"browserName", "chrome"},
                     {"goog:chromeOptions",
                      {{"binary", kChromium},
                       {"args", {"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                 "--window-size=1366,768", "--lang=zh-CN", "--no-first-run",
                                 "--user-data-dir=" + dir.file("chromium-profile")}}}}}}}}};
    json r = call("POST", "/session", caps);
    session_ = r["value"]["sessionId"].get<std::string>();
  }
  ~Browser() {
    if (!session_.empty()) raw("DELETE", "/session/" + session_, "");
  }
  Browser(const Browser&) = delete;
  Browser& operator=(const Browser&) = delete;

  void go(const std::string& url) { cmd("POST", "/url", {{"url", url}}); }
  // The element matching a CSS selector, waiting up to 10 s for it to exist.
  std::string find(const std::string& css) {
    std::string id;
    bool found = eventually([&] {
      auto r = raw("POST", "/session/" + session_ + "/element", json{{"using", "css selector"}, {"value", css}}.dump());
      if (r.first != 200) return false;
      id = r.second["value"].begin().value().get<std::string>();
      return true;
    }, seconds(10));
    INFO("element " << css);
    REQUIRE(found);
    return id;
  }
  void type(const std::string& css, const std::string& text) {
    cmd("POST", "/element/" + find(css) + "/value", {{"text", text}});
  }
  // Keys typed into whatever has the focus, as a person at the keyboard does.
  void keys(const std::string& text) {
    std::string active = cmd("GET", "/element/active")["value"].begin().value().get<std::string>();
    cmd("POST", "/element/" + active + "/value", {{"text", text}});
  }
  void clear(const std::string& css) { cmd("POST", "/element/" + find(css) + "/clear", json::object()); }
  void click(const std::string& css) { cmd("POST", "/element/" + find(css) + "/click", json::object()); }
  std::string text(const std::string& css) { return cmd("GET", "/element/" + find(css) + "/text")["value"]; }
  json script(const std::string& body) { return cmd("POST", "/execute/sync", {{"script", body}, {"args", json::array()}})["value"]; }
  // True once `css` exists and its visible text contains `needle`.
  bool shows(const std::string& css, const std::string& needle, seconds timeout = seconds(15)) {
    return eventually([&] {
      json v = script("const e = document.querySelector(" + json(css).dump() + "); return e ? e.innerText : '';");
      return v.is_string() && v.get<std::string>().find(needle) != std::string::npos;
    }, timeout);
  }
  // Saves a PNG screenshot and prints its path (the test's artefact).
  std::string screenshot(const std::string& path) {
    std::string png = base64_decode(cmd("GET", "/screenshot")["value"].get<std::string>());
    std::ofstream(path, std::ios::binary) << png;
    std::cout << "screenshot: " << path << std::endl;
    return path;
  }

  // The current page printed to PDF on A4 (WebDriver "Print Page"); saved at `path`.
  std::string print_pdf(const std::string& path) {
    json a4 = {{"page", {{"width", 21.0}, {"height", 29.7}}}, {"background", true}};
    std::string pdf = base64_decode(cmd("POST", "/print", a4)["value"].get<std::string>());
    std::ofstream(path, std::ios::binary) << pdf;
    std::cout << "printed: " << path << std::endl;
    return pdf;
  }

 private:
  std::pair<int, json> raw(const std::string& method, const std::string& target, const std::string& body) {
    Reply r = http_->call(method, target, body);
    return {r.status, r.body};
  }
  json call(const std::string& method, const std::string& target, const json& body = nullptr) {
    auto [status, reply] = raw(method, target, body.is_null() ? "" : body.dump());
    INFO(method << " " << target << " -> " << status << " " << reply.dump().substr(0, 600));
    REQUIRE(status == 200);
    return reply;
  }
  json cmd(const std::string& method, const std::string& what, const json& body = nullptr) {
    return call(method, "/session/" + session_ + what, body);
  }

  std::string port_;
  std::unique_ptr<Background> driver_;
  std::unique_ptr<Api> http_;
  std::string session_;
};

}  // namespace hallsync::test
