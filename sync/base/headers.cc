// HTTP header lookup shared by the server and the client transport.
#include <strings.h>

#include "sync/api/transport.h"

namespace hallsync {

std::string find_header(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers)
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) return value;
  return {};
}

}  // namespace hallsync
