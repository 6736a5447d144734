// The import loop: parse and check each line, then write whole cases in
// batches through the repository.
#include "client/store/case_importer.h"

#include <algorithm>
#include <unordered_set>

#include "client/domain/case_import.h"
#include "client/store/case_repository.h"

namespace hallsync::client {
namespace {

struct PendingCase {
  std::size_t line;
  std::string case_id;
  std::vector<schema::CaseEvent> drafts;
};

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r") == std::string::npos; }

class Importer {
 public:
  Importer(HallStore& store, const ImportOptions& options)
      : store_(store), repo_(store), options_(options), today_(CivilDate::from_unix_ms(store.civil_clock().now_ms())) {}

  Status take_line(std::size_t number, std::string line) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (blank(line)) return Status::ok();
    ++summary_.lines;
    auto record = parse_import_line(line);
    if (!record) return refuse(number, record.status());
    auto drafts = import_drafts(*record, store_.catalog(), today_);
    if (!drafts) return refuse(number, drafts.status());
    std::string case_id = import_case_id(store_.identity().hall_code, record->source_id);
    if (pending_ids_.count(case_id)) {
      ++summary_.already_present;  // the same source_id earlier in this file
      return Status::ok();
    }
    HALLSYNC_ASSIGN_OR_RETURN(bool held, repo_.holds_case(case_id));
    if (held) {
      ++summary_.already_present;
      return Status::ok();
    }
    pending_ids_.insert(case_id);
    pending_.push_back({number, std::move(case_id), std::move(*drafts)});
    if (pending_.size() >= options_.cases_per_commit) return flush();
    return Status::ok();
  }

  // Commits the pending cases. A case the store refuses (a check that passed
  // on provisional identities but not on real ones) is reported and the
  // batch retried without it; a store error stops the run.
  Status flush() {
    while (!pending_.empty()) {
      HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(store_.db()));
      std::size_t refused = pending_.size();
      Status why;
      for (std::size_t i = 0; i < pending_.size(); ++i) {
        auto view = repo_.import_case(txn, pending_[i].case_id, pending_[i].drafts);
        if (view) continue;
        if (view.status().kind() == ErrorKind::Storage || view.status().kind() == ErrorKind::Internal) return view.status();
        refused = i;
        why = view.status();
        break;
      }
      if (refused == pending_.size()) {
        HALLSYNC_RETURN_IF_ERROR(txn.commit());
        summary_.imported += pending_.size();
        pending_.clear();
        break;
      }
      // txn rolls back as it goes out of scope; the refused case leaves the batch.
      summary_.bad.push_back({pending_[refused].line, why.message()});
      pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(refused));
    }
    pending_ids_.clear();
    return Status::ok();
  }

  ImportSummary& summary() { return summary_; }

 private:
  Status refuse(std::size_t number, const Status& why) {
    summary_.bad.push_back({number, why.message()});
    return Status::ok();
  }

  HallStore& store_;
  CaseRepository repo_;
  const ImportOptions& options_;
  CivilDate today_;
  std::vector<PendingCase> pending_;
  std::unordered_set<std::string> pending_ids_;
  ImportSummary summary_;
};

}  // namespace

Result<ImportSummary> import_cases(HallStore& store, std::istream& in, const ImportOptions& options) {
  HALLSYNC_RETURN_IF_ERROR(store.refresh_civil_clock());  // "after today" is the platform's today
  Importer importer(store, options);
  std::string line;
  std::size_t number = 0;
  std::uint64_t bytes = 0;
  std::size_t committed_lines = 0;
  while (std::getline(in, line)) {
    ++number;
    bytes += line.size() + 1;
    std::size_t before = importer.summary().imported;
    HALLSYNC_RETURN_IF_ERROR(importer.take_line(number, std::move(line)));
    if (options.progress && (importer.summary().imported != before || number - committed_lines >= 1000)) {
      committed_lines = number;
      options.progress(number, bytes);
    }
  }
  if (in.bad()) return Status::storage("读取导入文件出错（第" + std::to_string(number + 1) + "行）");
  HALLSYNC_RETURN_IF_ERROR(importer.flush());
  if (options.progress) options.progress(number, bytes);
  auto& bad = importer.summary().bad;  // a batch retry may report out of order
  std::stable_sort(bad.begin(), bad.end(), [](const ImportProblem& a, const ImportProblem& b) { return a.line < b.line; });
  return importer.summary();
}

}  // namespace hallsync::client
