// hub.conf parsing and atomic, private writing.
#include "client/enrollment/hub_link.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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

Status validate(const HubLink& link) {
  bool https = link.hub_url.rfind("https://", 0) == 0, http = link.hub_url.rfind("http://", 0) == 0;
  if (!https && !http) return Status::validation("hub URL must start with https:// (or http:// for a loopback hub): " + link.hub_url);
  if (link.token.empty() || link.token.find_first_of(" \t\r\n") != std::string::npos)
    return Status::validation("device token is empty or contains spaces");
  return Status::ok();
}

}  // namespace

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
    else return Status::validation(path + " line " + std::to_string(n) + ": unknown key " + key);
  }
  HALLSYNC_RETURN_IF_ERROR(validate(link));
  return link;
}

CurlTransportOptions transport_options(const HubLink& link) {
  CurlTransportOptions options;
  options.base_url = link.hub_url;
  options.ca_file = link.ca_file;
  return options;
}

Status save_hub_link(const std::string& data_dir, const HubLink& link) {
  HALLSYNC_RETURN_IF_ERROR(validate(link));
  std::string path = (std::filesystem::path(data_dir) / kHubLinkFile).string();
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::storage("cannot write " + tmp);
  std::ostringstream body;
  body << "# hallsync hub link — contains the device secret; keep private (0600)\n"
       << "hub_url = " << link.hub_url << "\ntoken = " << link.token << "\n";
  if (!link.ca_file.empty()) body << "ca_file = " << link.ca_file << "\n";
  std::string text = body.str();
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) return Status::storage("cannot write " + path);
  return Status::ok();
}

}  // namespace hallsync::client
