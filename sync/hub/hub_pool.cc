// HubPool: opening the instances, lending one per request.
#include "sync/hub/hub_pool.h"

namespace hallsync::hub {

Result<std::unique_ptr<HubPool>> HubPool::open(const std::string& data_dir, const Clock& clock, const CasePolicy& policy,
                                               const std::string& store, std::size_t size) {
  if (size < 1) return Status::validation("the hub needs at least one store connection");
  if (size > 1 && !Database::is_postgres_url(store))
    return Status::validation("several store connections need a PostgreSQL store (--store postgresql://…): "
                              "the embedded SQLite store has one writer");
  std::unique_ptr<HubPool> pool(new HubPool());
  for (std::size_t i = 0; i < size; ++i) {
    HALLSYNC_ASSIGN_OR_RETURN(auto hub, HubService::open(data_dir, clock, policy, store));
    pool->idle_.push_back(hub.get());
    pool->hubs_.push_back(std::move(hub));
  }
  return pool;
}

HttpResponse HubPool::handle(const HttpRequest& request, const std::string& peer) {
  HubService* hub = nullptr;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    freed_.wait(lock, [this] { return !idle_.empty(); });
    hub = idle_.back();
    idle_.pop_back();
  }
  struct GiveBack {
    HubPool* pool;
    HubService* hub;
    ~GiveBack() {
      {
        std::lock_guard<std::mutex> lock(pool->mutex_);
        pool->idle_.push_back(hub);
      }
      pool->freed_.notify_one();
    }
  } give_back{this, hub};
  return hub->handle(request, peer);
}

}  // namespace hallsync::hub
