// Sealing personal fields and computing blind indexes (see the header).
#include "client/store/field_sealer.h"

#include <cctype>

#include "sync/api/crypto_suite.h"

namespace hallsync::client {
namespace {

// Labels of the derived keys: changing one orphans everything sealed under it.
constexpr std::string_view kSealLabel = "hallsync/at-rest/seal/v1";
constexpr std::string_view kIndexLabel = "hallsync/at-rest/blind-index/v1";
constexpr std::string_view kCheckLabel = "hallsync/at-rest/key-check/v1";

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string normalised(BlindField field, std::string_view value) {
  std::string out;
  switch (field) {
    case BlindField::Name:
      return std::string(trimmed(value));
    case BlindField::IdNumber:
      for (char c : trimmed(value)) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return out;
    case BlindField::Phone:
      for (char c : value)
        if (std::isdigit(static_cast<unsigned char>(c))) out += c;
      return out;
  }
  return out;
}

}  // namespace

FieldSealer::FieldSealer(std::string_view master_key)
    : seal_key_(crypto::keyed_digest(master_key, kSealLabel)),
      index_key_(crypto::keyed_digest(master_key, kIndexLabel)),
      check_(crypto::to_hex(crypto::keyed_digest(master_key, kCheckLabel))) {}

std::string FieldSealer::seal(std::string_view place, std::string_view plaintext) const {
  return crypto::seal(seal_key_, plaintext, place);
}

Result<std::string> FieldSealer::open(std::string_view place, std::string_view sealed) const {
  auto clear = crypto::open(seal_key_, sealed, place);
  if (!clear)
    return Status::storage("个人信息密文无法解开（" + std::string(place) +
                           "）：数据被改动、被移动或不是用本机密钥加密的。Sealed value at " + std::string(place) +
                           " does not open: altered, moved, or sealed under another key.");
  return clear;
}

std::string FieldSealer::blind_index(BlindField field, std::string_view value) const {
  // The field is part of the input, so one person's name and phone never share an index.
  std::string input(1, static_cast<char>('0' + static_cast<int>(field)));
  input += normalised(field, value);
  return crypto::keyed_digest(index_key_, input);
}

std::string FieldSealer::check_value() const { return check_; }

std::vector<std::uint8_t> FieldSealer::seal_payload(std::string_view place, std::string_view plaintext) const {
  std::string sealed = seal(place, plaintext);
  return {sealed.begin(), sealed.end()};
}

Result<std::vector<std::uint8_t>> FieldSealer::open_payload(std::string_view place, std::string_view sealed) const {
  HALLSYNC_ASSIGN_OR_RETURN(std::string clear, open(place, sealed));
  return std::vector<std::uint8_t>(clear.begin(), clear.end());
}

namespace {
std::string case_place(std::string_view column, std::string_view case_id) {
  return "cases." + std::string(column) + "/" + std::string(case_id);
}
}  // namespace

std::string seal_event_body(const FieldSealer& sealer, std::string_view event_id, std::string_view body) {
  return sealer.seal(event_body_place(event_id), body);
}

Result<std::vector<std::uint8_t>> open_event_body(const FieldSealer& sealer, std::string_view event_id,
                                                  const std::vector<std::uint8_t>& stored) {
  return sealer.open_payload(event_body_place(event_id),
                             std::string_view(reinterpret_cast<const char*>(stored.data()), stored.size()));
}

SealedApplicant seal_applicant(const FieldSealer& sealer, std::string_view case_id, std::string_view name,
                               std::string_view id_number, std::string_view phone) {
  return {sealer.seal(case_place("applicant_name", case_id), name),
          sealer.seal(case_place("id_number", case_id), id_number),
          sealer.seal(case_place("phone", case_id), phone),
          sealer.blind_index(BlindField::Name, name),
          sealer.blind_index(BlindField::IdNumber, id_number),
          sealer.blind_index(BlindField::Phone, phone)};
}

Result<std::string> open_case_column(const FieldSealer& sealer, std::string_view column, std::string_view case_id,
                                     std::string_view sealed) {
  return sealer.open(case_place(column, case_id), sealed);
}

}  // namespace hallsync::client
