// zlib deflate/inflate for message bodies, bounded on inflate so a small
// hostile body cannot expand without limit ("zip bomb").
#include <zlib.h>

#include "sync/protocol/messages.h"

namespace hallsync::protocol {

// The v2 preset dictionary: strings that recur in case events, so even the
// first event of a batch compresses well (see PROTOCOL.md "Compression").
std::string_view preset_dictionary();

std::string compress(const std::string& raw, int version) {
  z_stream z{};
  deflateInit(&z, 6);  // zlib's default balance of speed and size
  if (version >= 2) {
    auto dict = preset_dictionary();
    deflateSetDictionary(&z, reinterpret_cast<const Bytef*>(dict.data()), static_cast<uInt>(dict.size()));
  }
  std::string out(deflateBound(&z, static_cast<uLong>(raw.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  z.avail_in = static_cast<uInt>(raw.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Result<std::string> decompress(const std::string& body, int version, std::size_t max_bytes) {
  z_stream z{};
  if (inflateInit(&z) != Z_OK) return Status::internal("zlib inflateInit failed");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  z.avail_in = static_cast<uInt>(body.size());
  std::string out;
  char buf[64 * 1024];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc == Z_NEED_DICT && version >= 2) {
      auto dict = preset_dictionary();
      rc = inflateSetDictionary(&z, reinterpret_cast<const Bytef*>(dict.data()), static_cast<uInt>(dict.size()));
      if (rc == Z_OK) continue;
    }
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&z);
      return Status::protocol("body is not a valid deflate stream for protocol v" + std::to_string(version) +
                              (rc == Z_BUF_ERROR ? " (truncated)" : ""))
          .with_code("bad_encoding");
    }
    out.append(buf, sizeof buf - z.avail_out);
    if (out.size() > max_bytes) {
      inflateEnd(&z);
      return Status::protocol("body expands beyond " + std::to_string(max_bytes) + " bytes").with_code("too_large");
    }
    if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) {
      inflateEnd(&z);
      return Status::protocol("deflate stream is truncated").with_code("bad_encoding");
    }
  }
  bool trailing = z.avail_in != 0;
  inflateEnd(&z);
  if (trailing) return Status::protocol("bytes after the end of the deflate stream").with_code("bad_encoding");
  return out;
}

}  // namespace hallsync::protocol
