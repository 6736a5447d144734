// Crash points: read HALLSYNC_CRASH_AT once, count passes, SIGKILL on the armed one.
#include "sync/api/crash_point.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>

namespace hallsync {
namespace {

struct Armed {
  std::string name;
  long nth = 1;
};

const Armed* armed() {
  static const Armed* a = [] () -> const Armed* {
    const char* env = std::getenv("HALLSYNC_CRASH_AT");
    if (!env || !*env) return nullptr;
    auto* out = new Armed{env};
    if (auto colon = out->name.find(':'); colon != std::string::npos) {
      out->nth = std::atol(out->name.c_str() + colon + 1);
      out->name.resize(colon);
    }
    return out;
  }();
  return a;
}

}  // namespace

void crash_point(std::string_view name) {
  const Armed* a = armed();
  if (!a || a->name != name) return;
  static std::atomic<long> passes{0};
  if (++passes < a->nth) return;
  std::string line = "hallsync: crash point " + std::string(name) + "\n";
  (void)!write(STDERR_FILENO, line.data(), line.size());
  raise(SIGKILL);
}

const std::vector<std::string_view>& crash_point_names() {
  static const std::vector<std::string_view> names = {
      "local.before_commit",     // a clerk's write, its event and outbox entry not yet committed
      "local.after_commit",      // committed, the clerk not yet told
      "push.before_send",        // a batch read from the outbox, not yet sent
      "push.reply_received",     // the hub acknowledged; the device has not recorded it
      "push.before_ack_commit",  // the acknowledgement written, not committed
      "push.after_ack_commit",
      "pull.before_send",
      "pull.page_received",      // a page received, nothing of it applied
      "pull.mid_page",           // a page applied inside its transaction, cursor written, not committed
      "pull.after_page_commit",
      "hub.auth.after_nonce_commit",  // a signed request's nonce recorded; the request not yet handled
      "hub.push.before_commit",  // the hub applied a batch, not committed
      "hub.push.after_commit",   // the hub committed a batch; its answer not sent
      "hub.pull.before_reply",   // a page read; not yet sent
  };
  return names;
}

}  // namespace hallsync
