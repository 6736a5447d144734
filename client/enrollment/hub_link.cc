// hub.conf parsing and atomic, private writing.
#include "client/enrollment/hub_link.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace hallsync::client {
namespace {

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t\r");
  auto e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// The host of an http(s) URL: "[::1]" → "::1", "127.0.0.1:8470" → "127.0.0.1".
std::string url_host(const std::string& url) {
  std::string rest = url.substr(url.find("://") + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = rest.rfind('@'); at != std::string::npos) rest = rest.substr(at + 1);
  if (!rest.empty() && rest.front() == '[') return rest.substr(1, rest.find(']') - 1);
  return rest.substr(0, rest.find(':'));
}

bool is_loopback_host(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  // 127.0.0.0/8, written as a dotted quad.
  unsigned a = 0, b = 0, c = 0, d = 0;
  char tail = 0;
  return std::sscanf(host.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4 && a == 127 && b < 256 && c < 256 &&
         d < 256;
}

}  // namespace

Status validate_hub_link(const HubLink& link) {
  bool https = link.hub_url.rfind("https://", 0) == 0, http = link.hub_url.rfind("http://", 0) == 0;
  if (!https && !http) return Status::validation("hub URL must start with https:// (or http:// for a loopback hub): " + link.hub_url);
  // Citizens' records never cross a network in clear.
  if (http && !is_loopback_host(url_host(link.hub_url)))
    return Status::validation("hub URL " + link.hub_url +
                              " is plain HTTP to another machine: use https:// (plain http:// only reaches a hub on this PC)");
  if (!link.pinned_key.empty() && (link.pinned_key.rfind("sha256//", 0) != 0 || link.pinned_key.size() != 52))
    return Status::validation("key pin must be sha256// followed by 44 base64 characters (see README, TLS)");
  if (http && !link.pinned_key.empty()) return Status::validation("a key pin needs an https:// hub URL");
  if (link.token.empty() || link.token.find_first_of(" \t\r\n") != std::string::npos)
    return Status::validation("device token is empty or contains spaces");
  return Status::ok();
}

Result<HubLink> load_hub_link(const std::string& data_dir) {
  std::string path = (std::filesystem::path(data_dir) / kHubLinkFile).string();
  std::ifstream in(path);
  if (!in) return Status::not_found("no hub link: " + path + " is missing (run `hallctl configure --hub URL --token TOKEN`)");
  HubLink link;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    auto eq = line.find('=');
    if (eq == std::string::npos) return Status::validation(path + " line " + std::to_string(n) + ": expected key = value");
    std::string key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
    if (key == "hub_url") link.hub_url = value;
    else if (key == "token") link.token = value;
    else if (key == "ca_file") link.ca_file = value;
    else if (key == "pinned_key") link.pinned_key = value;
    else return Status::validation(path + " line " + std::to_string(n) + ": unknown key " + key);
  }
  HALLSYNC_RETURN_IF_ERROR(validate_hub_link(link));
  return link;
}

CurlTransportOptions transport_options(const HubLink& link) {
  CurlTransportOptions options;
  options.base_url = link.hub_url;
  options.ca_file = link.ca_file;
  options.pinned_public_key = link.pinned_key;
  return options;
}

bool is_plain_http(const HubLink& link) { return link.hub_url.rfind("http://", 0) == 0; }

Status save_hub_link(const std::string& data_dir, const HubLink& link) {
  HALLSYNC_RETURN_IF_ERROR(validate_hub_link(link));
  std::string path = (std::filesystem::path(data_dir) / kHubLinkFile).string();
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::storage("cannot write " + tmp);
  std::ostringstream body;
  body << "# hallsync hub link — contains the device secret; keep private (0600)\n"
       << "hub_url = " << link.hub_url << "\ntoken = " << link.token << "\n";
  if (!link.ca_file.empty()) body << "ca_file = " << link.ca_file << "\n";
  if (!link.pinned_key.empty()) body << "pinned_key = " << link.pinned_key << "\n";
  std::string text = body.str();
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) return Status::storage("cannot write " + path);
  return Status::ok();
}

}  // namespace hallsync::client
