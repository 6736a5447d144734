// Running hallctl resync: lock, handshake, epoch decision, then the mode.
#include "client/diagnostics/resync_session.h"

#include <filesystem>

#include "client/daemon/instance_lock.h"
#include "client/enrollment/hub_link.h"
#include "client/store/case_change_sink.h"
#include "sync/api/change_log.h"

namespace hallsync::client::diagnostics {
namespace {

Status decide_epoch(const HubHandshake& hand, const ResyncRequest& req) {
  if (!hand.epoch_changed()) return Status::ok();
  std::string change = "the hub was reset or restored: this store follows epoch " + hand.known_epoch + ", the hub now has " +
                       hand.hub_epoch + " (its event numbering restarted)";
  if (req.mode != ResyncMode::Rebuild)
    return Status::conflict(change + ". Only `hallctl resync --rebuild --accept-epoch " + hand.hub_epoch +
                            "` is safe now (a fresh store from this hub; the old one is kept as a backup)")
        .with_code("hub_epoch_changed");
  if (req.accept_epoch != hand.hub_epoch)
    return Status::conflict(change + ". Confirm with the district that this is the hub to follow, then rerun with "
                            "--accept-epoch " + hand.hub_epoch)
        .with_code("hub_epoch_changed");
  req.say("hub epoch " + hand.known_epoch + " -> " + hand.hub_epoch + ": accepted by --accept-epoch");
  return Status::ok();
}

Status run_on_store(const ResyncRequest& req, HallStore& store, Transport& transport, const HubLink& link,
                    const HubHandshake& hand, const Clock& clock) {
  ChangeLog log(store.db());
  HALLSYNC_ASSIGN_OR_RETURN(OutboxStats outbox, log.stats());
  HALLSYNC_ASSIGN_OR_RETURN(std::int64_t cursor, read_sync_value(store.db(), kPullCursorKey, 0));
  bool repush = req.mode == ResyncMode::Repush;
  if (repush)
    req.say("repush: " + std::to_string(outbox.last_seq) + " local event(s) to send again; the hub holds this device's up to " +
            std::to_string(hand.high_water) + " and keeps each event once");
  else {
    HALLSYNC_ASSIGN_OR_RETURN(std::int64_t resume, read_sync_value(store.db(), kRepullCursorKey, -1));
    req.say(resume >= 0 ? "repull: resuming an interrupted re-pull at " + std::to_string(resume)
                        : "repull: the hall's whole history again from 0 (normal pull cursor " + std::to_string(cursor) +
                              " is kept until it ends)");
  }
  if (req.dry_run) return Status::ok();
  HALLSYNC_RETURN_IF_ERROR(agree_hub_epoch(store.db(), hand.hub_epoch));
  CaseChangeSink sink(store);
  Replicator replicator(store.db(), transport, sink, clock, {store.identity().device_id(), link.token});
  std::int64_t total = repush ? outbox.last_seq : 0;
  if (req.on_progress) replicator.on_progress = [&](const SyncStats& s) { req.on_progress(s, total); };
  auto result = repush ? replicator.repush(hand.hub_epoch) : replicator.repull();
  if (!result) return result.status();
  req.say(repush ? "repush done: " + std::to_string(result->pushed) + " sent, " + std::to_string(result->rejected) +
                       " rejected by the hub (see hallctl explain)"
                 : "repull done: " + std::to_string(result->pulled) + " change(s) read again");
  return Status::ok();
}

}  // namespace

Status run_resync(const ResyncRequest& req, const Clock& clock) {
  // While resync runs, halld must not sync (or be started) on the same store.
  HALLSYNC_ASSIGN_OR_RETURN(auto lock, daemon::InstanceLock::acquire(req.data_dir));
  HALLSYNC_ASSIGN_OR_RETURN(HubLink link, load_hub_link(req.data_dir));
  auto transport = make_curl_transport(transport_options(link));
  bool has_store = std::filesystem::exists(std::filesystem::path(req.data_dir) / HallStore::kDatabaseFile);

  if (req.mode == ResyncMode::Rebuild && rebuild_interrupted(req.data_dir) && !req.dry_run) {
    HALLSYNC_ASSIGN_OR_RETURN(RebuildReport r, rebuild_store({req.data_dir, std::nullopt, "", false, nullptr}, *transport,
                                                             link.token, clock));
    req.say("finished an interrupted rebuild: the new store is in place; old store in " +
            (r.backup_path.empty() ? std::string("backups/") : r.backup_path));
    return Status::ok();
  }
  std::unique_ptr<HallStore> store;
  if (has_store) {
    auto opened = HallStore::open(req.data_dir, clock, WriterRank::Background);
    if (opened) {
      store = std::move(opened).value();
    } else if (req.mode != ResyncMode::Rebuild || !req.identity) {
      return opened.status().with_context(req.mode == ResyncMode::Rebuild
                                              ? "the store cannot be opened; give --hall and --device to rebuild it"
                                              : "the store cannot be opened; use --rebuild --hall H --device W");
    } else {
      req.say("the store cannot be opened (" + opened.status().message() + "): rebuilding from the hub; its epoch "
              "cannot be compared");
    }
  } else if (req.mode != ResyncMode::Rebuild) {
    return Status::not_found("no hall store in " + req.data_dir + ": only --rebuild (with --hall and --device) can recreate it");
  }
  std::string device_id = store ? store->identity().device_id() : req.identity ? req.identity->device_id() : "";
  if (device_id.empty()) return Status::validation("no hall store: give --hall and --device");
  HALLSYNC_ASSIGN_OR_RETURN(HubHandshake hand,
                            hub_handshake(*transport, {device_id, link.token}, clock, store ? &store->db() : nullptr));
  req.say("hub epoch " + hand.hub_epoch + (hand.known_epoch.empty() ? " (this store never synced)"
                                           : hand.epoch_changed() ? " (CHANGED)" : " (unchanged)"));
  HALLSYNC_RETURN_IF_ERROR(decide_epoch(hand, req));
  if (req.mode != ResyncMode::Rebuild) return run_on_store(req, *store, *transport, link, hand, clock);

  store.reset();  // the rebuild reads and moves the file itself
  RebuildRequest rebuild{req.data_dir, req.identity, hand.hub_epoch, req.dry_run, nullptr};
  if (req.on_progress) rebuild.on_progress = [&](const SyncStats& s) { req.on_progress(s, 0); };
  HALLSYNC_ASSIGN_OR_RETURN(RebuildReport r, rebuild_store(rebuild, *transport, link.token, clock));
  req.say("rebuild of " + r.identity.device_id() + ": the hub holds this device's events up to " +
          std::to_string(r.hub_high_water) + "; " + std::to_string(r.local_events) + " local event(s) in the old store");
  if (req.dry_run) {
    req.say("would carry over " + std::to_string(r.carried_same_seq) +
            " unacknowledged event(s) with their sequence; events the hub lacks at or below its mark get new ones; "
            "the old store would go to backups/");
    return Status::ok();
  }
  req.say("pulled " + std::to_string(r.pulled) + ", carried over " + std::to_string(r.carried_same_seq) +
          " with their sequence and " + std::to_string(r.renumbered) + " under a new one, pushed " + std::to_string(r.pushed));
  if (!r.unreadable_store.empty() && !r.salvage_failure.empty())
    req.say("warning: the old store could not be read (" + r.unreadable_store + "; " + r.salvage_failure +
            "): only what the hub holds came back; events never pushed from it are lost unless the backup can be repaired");
  else if (!r.unreadable_store.empty())
    req.say("the old store is damaged (" + r.unreadable_store + "): recovered " + std::to_string(r.salvaged_unsynced) +
            " unsynced event(s) from it; " + std::to_string(r.unreadable_unsynced) +
            " could not be read" +
            (r.unreadable_unsynced > 0 ? " and are lost unless the backup can be repaired" : ""));
  if (r.left_with_backup > 0)
    req.say("note: " + std::to_string(r.left_with_backup) +
            " event(s) made by the previous hub (platform numbers, back-office decisions) are not at this hub; "
            "they stay in the backup and must be restored at the hub");
  req.say(r.backup_path.empty() ? "no old store to keep" : "old store kept: " + r.backup_path);
  return Status::ok();
}

}  // namespace hallsync::client::diagnostics
