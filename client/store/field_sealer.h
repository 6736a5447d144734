// FieldSealer: seals the personal data the hall's store keeps at rest
// (issue #7 item 7) — the personal columns of `cases`, case event bodies and
// change-log payloads — and computes the blind indexes that let a clerk still
// find a case by exact name, ID number or phone. Two keys are derived once
// from the master key (store_key.h), one to seal and one to index, so a blind
// index never reveals the sealing key and no row pays for a key derivation.
// Every primitive comes from sync/api/crypto_suite.h.
#pragma once

#include <string>
#include <string_view>

#include "sync/api/payload_sealer.h"

namespace hallsync::client {

enum class BlindField { Name, IdNumber, Phone };

class FieldSealer final : public PayloadSealer {
 public:
  explicit FieldSealer(std::string_view master_key);

  // `place` is where the value lives, e.g. "cases.id_number/<case id>": it is
  // authenticated, so a value copied to another row or column fails to open.
  std::string seal(std::string_view place, std::string_view plaintext) const;
  // A Storage error naming the place when the value was altered, moved or
  // sealed under another key.
  Result<std::string> open(std::string_view place, std::string_view sealed) const;

  // Keyed digest of the normalised value (names trimmed, ID numbers trimmed
  // and upper-cased, phones reduced to digits): equal values index alike.
  std::string blind_index(BlindField field, std::string_view value) const;

  // Kept in hall_meta: shows at open whether this is the store's key.
  std::string check_value() const;

  std::vector<std::uint8_t> seal_payload(std::string_view place, std::string_view plaintext) const override;
  Result<std::vector<std::uint8_t>> open_payload(std::string_view place, std::string_view sealed) const override;

 private:
  std::string seal_key_;
  std::string index_key_;
  std::string check_;
};

inline std::string event_body_place(std::string_view event_id) {
  return "case_events.body/" + std::string(event_id);
}

// A case_events body as stored, and back to its wire encoding.
std::string seal_event_body(const FieldSealer& sealer, std::string_view event_id, std::string_view body);
Result<std::vector<std::uint8_t>> open_event_body(const FieldSealer& sealer, std::string_view event_id,
                                                  const std::vector<std::uint8_t>& stored);

// The applicant's columns of a `cases` row as stored: each sealed to its
// column and case, and the three blind indexes searches match on.
struct SealedApplicant {
  std::string name, id_number, phone;
  std::string name_index, id_index, phone_index;
};
SealedApplicant seal_applicant(const FieldSealer& sealer, std::string_view case_id, std::string_view name,
                               std::string_view id_number, std::string_view phone);
// One sealed column of `cases` ("applicant_name", "id_number", "phone").
Result<std::string> open_case_column(const FieldSealer& sealer, std::string_view column, std::string_view case_id,
                                     std::string_view sealed);

}  // namespace hallsync::client
