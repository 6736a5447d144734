// The clerk's web page (issue #9): plain HTML, CSS and JS under client/web/,
// compiled into halld the way schema/ embeds its SQL (schema/embed_files.cmake),
// so a hall PC needs nothing beside the binary and the page always matches the
// API of the halld serving it. No build chain, no external URL.
#pragma once

#include <string_view>
#include <vector>

#include "schema/embedded.h"

namespace hallsync::client::web {

using schema::EmbeddedFile;

// Every asset, path relative to client/web/ (e.g. "app.js").
const std::vector<EmbeddedFile>& embedded_files();

struct WebAsset {
  std::string_view body;
  std::string_view content_type;  // with charset for text
};

// The asset served at URL path `path` ("/" is index.html); empty body if none.
WebAsset web_asset(std::string_view path);

}  // namespace hallsync::client::web
