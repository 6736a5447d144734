// Validation and application of pulled pages.
#include "client/store/case_change_sink.h"

#include "client/domain/material_file.h"
#include "sync/api/blob_download.h"
#include "sync/api/event_codec.h"

namespace hallsync::client {

Status CaseChangeSink::apply(Transaction& txn, const std::vector<RemoteChange>& changes) {
  std::vector<CaseRepository::ReceivedEvent> events;
  for (const auto& c : changes) {
    if (c.collection == "case_events") {
      auto e = decode_event(reinterpret_cast<const std::uint8_t*>(c.payload.data()), c.payload.size());
      if (!e) return e.status().with_context("pulled change " + std::to_string(c.hub_seq));
      if (e->case_id != c.doc_key)
        return Status::protocol("pulled change " + std::to_string(c.hub_seq) + " names case " + c.doc_key +
                                " but carries an event of " + e->case_id);
      // The hub partitions by hall; a case of another hall here means a hub bug
      // or a forged reply, and nothing of the page may be applied.
      if ((e->kind == schema::EventKind::Accepted || schema::is_hall_record(e->kind)) &&
          e->hall_code != store_->identity().hall_code)
        return Status::protocol("hub sent case " + e->case_id + " of hall " + e->hall_code + " to hall " +
                                store_->identity().hall_code)
            .with_code("wrong_hall");
      // A document the back office issued for one of our cases: fetch it after
      // the uploads (queued with the page, so it is never forgotten).
      if (e->kind == schema::EventKind::MaterialAttached && e->device_id == "hub")
        if (auto ref = parse_material_descriptor(e->value))
          HALLSYNC_RETURN_IF_ERROR(enqueue_blob_download(txn, {ref->sha256, ref->size}, ref->media_type, e->case_id,
                                                         store_->clock().now_ms()));
      events.push_back({std::move(e).value(), c.payload});
    } else if (c.collection == "reference") {
      auto colon = c.doc_key.find(':');
      std::string name = c.doc_key.substr(0, colon);
      std::string version = colon == std::string::npos ? "" : c.doc_key.substr(colon + 1);
      // Parse before installing: a broken catalog must not become current.
      Status valid = name == "matters"    ? MatterCatalog::parse_csv(c.payload).status()
                     : name == "calendar" ? WorkCalendar::parse_csv(c.payload).status()
                                          : Status::protocol("unknown reference data " + name);
      if (!valid.is_ok()) return Status::protocol("published " + name + " " + version + " is invalid: " + valid.message());
      HALLSYNC_RETURN_IF_ERROR(store_->install_reference(txn, name, version, c.payload));
      reference_changed_ = true;
    } else {
      return Status::protocol("pulled change " + std::to_string(c.hub_seq) + " of unknown collection " + c.collection);
    }
  }
  return repo_.apply_remote(txn, std::move(events)).status();
}

Status CaseChangeSink::committed() {
  if (!reference_changed_) return Status::ok();
  reference_changed_ = false;
  return store_->reload_reference();
}

}  // namespace hallsync::client
