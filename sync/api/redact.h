// Personal-data masking for logs and exports (PIPL art. 51: de-identify what
// leaves the case record). Shared by the hall and the hub, so it knows nothing
// of client/ and works on plain text. Masks keep the string's shape (one '*'
// per hidden character) so a masked log line still lines up and can be
// matched by a person holding the original.
#pragma once

#include <string>
#include <string_view>

namespace hallsync {

// Keeps the first 4 and last 4 characters of inputs of 15+ characters
// ("3607**********1234"), the first 2 and last 2 of 8..14, and nothing of
// anything shorter: never more than 8 characters, and of inputs shorter than
// a 15-digit ID never more than half.
std::string mask_id_number(std::string_view id);

// Mobiles (optionally +86, spaces, hyphens) become "138****5678"; landlines
// keep the area code and last 2 digits ("0797-*****45"); anything else keeps
// at most its last 2 characters, and only when it has 6 or more.
std::string mask_phone(std::string_view phone);

// First code point kept, one '*' per further code point: "张三丰" → "张**";
// a single character becomes "*". Invalid UTF-8 is masked entirely.
std::string mask_name(std::string_view utf8_name);

// Masks, wherever they stand in free text: 18-character ID-number-like runs
// (17 digits + digit/X/x), 15-digit runs (pre-1999 IDs), and mobile-like runs
// (11 digits starting 1[3-9], optionally "+86", or grouped "138 1234 5678" /
// "138-1234-5678"). A run that is part of a longer digit run is left alone.
// Other text, including every non-ASCII byte, passes through untouched.
std::string redact_pii(std::string_view text);

// True if `text` still holds an unmasked ID number whose GB 11643 check
// character is valid, or an unmasked mobile number. For tests that scan logs
// and exported bundles; redact_pii(x) never satisfies it.
bool contains_clear_pii(std::string_view text);

}  // namespace hallsync
