// HubPool: several HubService instances over one PostgreSQL store, each with
// its own connection, so a server with that many worker threads handles that
// many requests at once (#11: pooling and bounded concurrency in the hub).
// Each instance is what one hub process is: it re-reads the hub's counters
// under the store's write lock before every write, so instances in one process
// share the store exactly as processes do (sync/PROTOCOL.md, "The hub on
// PostgreSQL"). SQLite: one instance (one writer per file anyway).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sync/hub/hub_service.h"

namespace hallsync::hub {

class HubPool {
 public:
  // `size` instances (connections); more than 1 needs a PostgreSQL `store`.
  static Result<std::unique_ptr<HubPool>> open(const std::string& data_dir, const Clock& clock,
                                               const CasePolicy& policy, const std::string& store, std::size_t size);
  // Thread safe: runs the request on a free instance, waiting for one if all
  // are busy (a server gives the pool at most `size` calls at once).
  HttpResponse handle(const HttpRequest& request, const std::string& peer);
  // The first instance: for the epoch and for callers on one thread only.
  HubService& first() { return *hubs_.front(); }
  // Where every instance reports chain re-anchorings (HubService::set_notice_log).
  void set_notice_log(const std::function<void(const std::string&)>& log) {
    for (auto& hub : hubs_) hub->set_notice_log(log);
  }
  std::size_t size() const { return hubs_.size(); }

 private:
  HubPool() = default;
  std::vector<std::unique_ptr<HubService>> hubs_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<HubService*> idle_;
};

}  // namespace hallsync::hub
