// decode_message: the common edge of every protocol decoder — inflate with the
// body limit, read with the bounded WireReader, refuse trailing bytes, and turn
// any failure into a Protocol error ("malformed") that names the message.
#pragma once

#include <string>

#include "sync/protocol/messages.h"
#include "sync/protocol/wire_archive.h"

namespace hallsync::protocol {

template <typename Message, typename Fill>
Result<Message> decode_message(const std::string& body, int version, const char* what, Fill fill) {
  HALLSYNC_ASSIGN_OR_RETURN(std::string raw, decompress(body, version));
  Message m;
  try {
    if (raw.empty()) throw WireError("empty message");
    WireReader r(raw);
    fill(r, m);
    r.expect_end();
  } catch (const std::exception& e) {
    return Status::protocol(std::string("malformed ") + what + ": " + e.what()).with_code("malformed");
  }
  return m;
}

}  // namespace hallsync::protocol
