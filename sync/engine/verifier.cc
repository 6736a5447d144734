// Digest comparison with the hub, narrowing down to cases and events.
#include "sync/api/verifier.h"

#include <algorithm>
#include <map>
#include <set>

#include "sync/protocol/messages.h"

namespace hallsync {
namespace {

Result<protocol::DigestResponse> fetch(Transport& t, RequestSigner& signer, int bucket, int version) {
  const DeviceCredentials& c = signer.credentials();
  HttpRequest req = protocol_request(
      "/v1/digests", protocol::encode(protocol::DigestRequest{c.device_id, bucket}, version), c, version);
  HALLSYNC_ASSIGN_OR_RETURN(HttpResponse res, signer.exchange(t, std::move(req)));
  if (res.status != 200) return status_from_hub_reply(res);
  return protocol::decode_digest_response(res.body, version);
}

}  // namespace

bool VerifyReport::consistent() const {
  return std::all_of(cases.begin(), cases.end(), [](const CaseDifference& d) {
    return d.missing_here.empty() && d.missing_at_hub.empty();
  });
}

Result<VerifyReport> verify_with_hub(Transport& transport, RequestSigner& signer,
                                     std::vector<std::pair<std::string, std::string>> local,
                                     const std::vector<std::string>& pending, int version) {
  VerifyReport report;
  auto mine = compute_digests(local);
  HALLSYNC_ASSIGN_OR_RETURN(auto theirs, fetch(transport, signer, -1, version));
  if (theirs.buckets.size() != mine.size()) return Status::protocol("hub sent a wrong number of digest buckets");
  std::set<std::string> pending_set(pending.begin(), pending.end());
  for (std::size_t b = 0; b < mine.size(); ++b) {
    if (mine[b] == theirs.buckets[b]) continue;
    report.differing_buckets.push_back(static_cast<int>(b));
    HALLSYNC_ASSIGN_OR_RETURN(auto detail, fetch(transport, signer, static_cast<int>(b), version));
    std::set<std::pair<std::string, std::string>> hub_set(detail.events.begin(), detail.events.end()), here_set;
    for (const auto& p : local)
      if (digest_bucket(p.first) == static_cast<int>(b)) here_set.insert(p);
    std::map<std::string, CaseDifference> by_case;
    for (const auto& p : hub_set)
      if (!here_set.count(p)) by_case[p.first].missing_here.push_back(p.second);
    for (const auto& p : here_set) {
      if (hub_set.count(p)) continue;
      auto& d = by_case[p.first];
      (pending_set.count(p.second) ? d.not_yet_pushed : d.missing_at_hub).push_back(p.second);
    }
    for (auto& [case_id, d] : by_case) {
      d.case_id = case_id;
      report.cases.push_back(std::move(d));
    }
  }
  return report;
}

}  // namespace hallsync
