// Strict UTF-8 decoding (see sync/api/utf8.h).
#include "sync/api/utf8.h"

namespace hallsync {

// Length of the well-formed UTF-8 sequence at s[i] (0 if ill-formed), with
// its code point in `cp`. The second-byte ranges exclude overlongs (E0, F0),
// surrogates (ED) and values past U+10FFFF (F4) per RFC 3629's table.
std::size_t utf8_decode_at(std::string_view s, std::size_t i, char32_t& cp) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char b0 = b(0);
  if (b0 < 0x80) { cp = b0; return 1; }
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) { len = 2; cp = b0 & 0x1Fu; }
  else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3; cp = b0 & 0x0Fu;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4; cp = b0 & 0x07u;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    unsigned char c = b(k);
    if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xBF)) return 0;
    cp = (cp << 6) | (c & 0x3Fu);
  }
  return len;
}

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    std::size_t n = utf8_decode_at(s, i, cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

}  // namespace hallsync
