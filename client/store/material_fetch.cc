// Queueing a case's missing scans for download, and reading a held one back.
#include "client/store/material_fetch.h"

#include <algorithm>
#include <cctype>

#include "client/store/material_attach.h"
#include "sync/api/blob_download.h"
#include "sync/api/blob_store.h"

namespace hallsync::client {

Result<MaterialFetch> queue_material_downloads(HallStore& store, const std::string& case_ref) {
  CaseRepository repo(store);
  HALLSYNC_ASSIGN_OR_RETURN(CaseView view, repo.load(case_ref));
  HALLSYNC_ASSIGN_OR_RETURN(auto states, attachment_upload_states(store, view));
  MaterialFetch out;
  HALLSYNC_ASSIGN_OR_RETURN(auto txn, Transaction::begin(store.db()));
  std::int64_t now = store.clock().now_ms();
  std::vector<std::string> seen;  // the same file attached twice is fetched once
  for (std::size_t i = 0; i < view.attachments.size(); ++i) {
    const AttachedMaterial& a = view.attachments[i];
    if (std::find(seen.begin(), seen.end(), a.sha256) != seen.end()) continue;
    seen.push_back(a.sha256);
    if (states[i] == "to_download") {
      ++out.already_queued;
    } else if (states[i] == "elsewhere" || states[i] == "purged") {
      HALLSYNC_RETURN_IF_ERROR(enqueue_blob_download(txn, {a.sha256, a.size}, a.media_type, view.case_id, now));
      ++out.queued;
      out.queued_bytes += a.size;
    } else {
      ++out.here;
    }
  }
  HALLSYNC_RETURN_IF_ERROR(txn.commit());
  out.view = std::move(view);
  return out;
}

namespace {
bool is_hex_prefix(std::string_view s) {
  return s.size() >= 8 && s.size() <= 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f'); });
}
}  // namespace

Result<MaterialContent> read_material(HallStore& store, const std::string& case_ref, std::string_view which) {
  CaseRepository repo(store);
  HALLSYNC_ASSIGN_OR_RETURN(CaseView view, repo.load(case_ref));
  const AttachedMaterial* found = nullptr;
  bool numeric = !which.empty() && which.size() <= 4 &&
                 std::all_of(which.begin(), which.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  if (numeric) {
    std::size_t n = std::stoul(std::string(which));
    if (n >= 1 && n <= view.attachments.size()) found = &view.attachments[n - 1];
  } else if (is_hex_prefix(which)) {
    for (const auto& a : view.attachments)
      if (a.sha256.compare(0, which.size(), which) == 0) {
        found = &a;
        break;
      }
  }
  if (!found)
    return Status::not_found("受理编号 " + view.acceptance_no + " 没有扫描材料“" + std::string(which) + "”（共 " +
                             std::to_string(view.attachments.size()) + " 份，按序号 1、2…… 指定）");
  BlobStore blobs(blob_dir(store));
  if (!blobs.contains(found->sha256))
    return Status::not_found("扫描材料“" + found->material + "”还不在本机（由本厅其他电脑或平台保存）：请先运行 hall case fetch-materials " +
                             view.acceptance_no + "（或在网页上点“下载到本机”），联网同步后再看")
        .with_code("not_here");
  HALLSYNC_ASSIGN_OR_RETURN(std::string bytes, blobs.read(found->sha256, 0, static_cast<std::size_t>(found->size)));
  // A file damaged on disk is never shown as if it were the scan.
  if (static_cast<std::int64_t>(bytes.size()) != found->size || sha256_hex(bytes) != found->sha256)
    return Status::storage("本机保存的扫描材料“" + found->material + "”已损坏（内容与登记时不符），请联系技术人员运行 hallctl doctor")
        .with_code("blob_damaged");
  return MaterialContent{*found, std::move(bytes)};
}

}  // namespace hallsync::client
