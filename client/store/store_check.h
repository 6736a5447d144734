// StoreCheck: is the hall's SQLite file fit to be written? Run before the
// store is opened for writing, so a damaged file (cut short, a garbage header,
// torn pages) is refused as it is — never recreated, migrated or overwritten —
// with a classified error naming the file and what the technician should do.
#pragma once

#include <string>
#include <string_view>

#include "sync/api/database.h"

namespace hallsync::client {

// How much of the file is read before it is trusted: the header and the
// file's length always (cheap, every `hall` command); every page as well
// (PRAGMA quick_check) when a daemon starts and will run for days.
enum class StoreCheck { Header, Pages };

// Storage error, code "store_damaged": the file, what is wrong, what to do.
Status damaged_store(const std::string& db_file, std::string_view what);

// The 100-byte SQLite header is there and sane, and, unless a WAL beside it
// may still hold the rest (a checkpoint cut short), the file is as long as
// its header says. Reads the file only.
Status check_store_header(const std::string& db_file);

// PRAGMA quick_check over every page of an open store.
Status check_store_pages(Database& db);

}  // namespace hallsync::client
