// URL paths to the embedded assets of the web page (see web_assets.h).
#include "client/web/web_assets.h"

#include <string>

namespace hallsync::client::web {
namespace {

std::string_view type_of(std::string_view name) {
  auto ends = [&](std::string_view ext) {
    return name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace

WebAsset web_asset(std::string_view path) {
  // The page is one document; any path that is not an asset is not served.
  std::string_view name = path == "/" ? "index.html" : path.substr(path.rfind('/') + 1);
  if (path != "/" && path != "/assets/" + std::string(name)) return {};
  for (const auto& f : embedded_files())
    if (f.path == name) return {f.text, type_of(name)};
  return {};
}

}  // namespace hallsync::client::web
