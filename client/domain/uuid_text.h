// The canonical text of a UUID (8-4-4-4-12 lower-case hex) with its version
// and RFC 4122 variant bits set — shared by time-ordered case ids (version 7)
// and import case ids (version 5).
#pragma once

#include <cstdio>
#include <string>

namespace hallsync::client {

inline std::string uuid_text(unsigned char b[16], int version) {
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | (version << 4));
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
                b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return out;
}

}  // namespace hallsync::client
