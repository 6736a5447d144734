// Fuzz target: halld.conf as a technician might mistype it. Any text gives a
// configuration or an error naming the line; nothing else.
#include <string>

#include "client/daemon/daemon_config.h"

using namespace hallsync::client::daemon;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  DaemonConfig config;
  const std::string text(reinterpret_cast<const char*>(data), size);
  hallsync::Status s = apply_config_text(text, "halld.conf", config);
  (void)s;
  return 0;
}
