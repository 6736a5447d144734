// Rules for text a clerk types into a case: names, phone numbers, free text.
// Checked at entry so the hall never stores (and never syncs) something the
// provincial platform or a printed notice cannot use. Every error is a
// Status::validation whose Chinese message names the field and the limit.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "sync/api/result.h"

namespace hallsync::client {

// Strict UTF-8: rejects overlong forms, surrogates, code points above
// U+10FFFF and truncated sequences.
bool is_valid_utf8(std::string_view s);

// Number of code points; meaningful only for valid UTF-8.
std::size_t utf8_length(std::string_view s);

// A person's name: 1..30 code points after trimming; Chinese characters,
// letters, the middle dot (·) and, in non-Chinese names only, spaces.
// Returns the trimmed name with look-alike dots (•, ‧, ・) turned into U+00B7,
// the dot ID cards use, so names match the card.
Result<std::string> validate_person_name(std::string_view name);

// A mainland mobile (optional +86 / 86, spaces and hyphens allowed) or a
// landline with area code. Returns digits only: "13800000000", "07974412345".
Result<std::string> validate_phone(std::string_view phone);

// Free text (notes, reasons, legal basis). Kept verbatim except that CRLF and
// lone CR become LF. `field_label` is the Chinese field name for messages;
// `required` asks for at least one non-space character.
Result<std::string> validate_free_text(std::string_view text, std::string_view field_label,
                                       std::size_t max_code_points, bool required);

}  // namespace hallsync::client
