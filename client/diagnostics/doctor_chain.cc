// Doctor's "outbox.chain" check: recomputes the hash chain over the whole
// change log (issue #7) and names the first entry that does not follow, so a
// change made to the store behind hallsync's back is found before the hub
// refuses the next push.
#include "client/diagnostics/doctor.h"
#include "sync/api/change_chain.h"
#include "sync/api/crypto_suite.h"

namespace hallsync::client::diagnostics {

Check check_change_log_chain(Database& db) {
  Check c{"outbox.chain", Mark::Pass, "", ""};
  auto has_column = db.prepare("SELECT count(*) FROM pragma_table_info('change_log') WHERE name = 'chain'");
  if (!has_column) return {c.name, Mark::Fail, has_column.status().message(), "the store cannot be read: `hallctl resync --rebuild`"};
  auto row = has_column->step();
  if (!row || !*row || has_column->column_int(0) == 0)
    return {c.name, Mark::NotApplicable, "this store has no chain yet (it is added when halld or hall next opens it)", ""};
  auto check = verify_change_log_chain(db);
  if (!check) return {c.name, Mark::Fail, check.status().message(), "the store cannot be read: `hallctl resync --rebuild`"};
  if (check->broken) {
    c.mark = Mark::Fail;
    c.detail = "change-log entry " + std::to_string(check->broken->seq) + " breaks the chain: " + check->broken->detail;
    c.advice = "the store was changed outside hallsync. Keep a copy of the data directory for the investigation "
               "(`hallctl export-diagnostics`), stop halld, and tell the district: the hub refuses this device's pushes that "
               "include the altered entry (chain_mismatch / chain_fork). Then `hallctl resync --rebuild` rebuilds the "
               "store from what the hub acknowledged; unsent entries after the break are carried over only if intact";
    return c;
  }
  c.detail = std::to_string(check->entries) + " entr" + (check->entries == 1 ? "y" : "ies") + " verified, head " +
             crypto::to_hex(check->head).substr(0, 16) + "…";
  return c;
}

}  // namespace hallsync::client::diagnostics
