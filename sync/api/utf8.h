// Strict UTF-8 (RFC 3629): shared by the decoders that take text from the wire
// (a hub or device may send any bytes) and by the hall's entry checks.
#pragma once

#include <cstddef>
#include <string_view>

namespace hallsync {

// Length of the well-formed UTF-8 sequence at s[i] (0 if ill-formed), with its
// code point in `cp`. Overlong forms, surrogates and values past U+10FFFF are ill-formed.
std::size_t utf8_decode_at(std::string_view s, std::size_t i, char32_t& cp);

bool is_valid_utf8(std::string_view s);

}  // namespace hallsync
