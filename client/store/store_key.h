// The hall's master key for personal data at rest (issue #7 item 7): 32
// random bytes, as hex, in a file of its own — never in hall.db, never in a
// diagnostics bundle or a backup — readable by the service user only.
// Where it lives: $HALL_KEY_FILE when set (a directory outside the data
// directory is better: a copy of the data directory then carries no key),
// else hall.key in the data directory.
#pragma once

#include <string>

#include "sync/api/result.h"

namespace hallsync::client {

constexpr const char* kKeyFileName = "hall.key";

std::string key_file_path(const std::string& data_dir);

// The key, or a Storage error (code store_key_missing / store_key_unreadable)
// telling a technician what to do.
Result<std::string> read_key_file(const std::string& path);

// Creates the file with a fresh key (mode 0600, written and synced before it
// is used). When it already exists (another process won the race, or a
// technician placed it), its key is read instead.
Result<std::string> create_or_read_key_file(const std::string& path);

}  // namespace hallsync::client
