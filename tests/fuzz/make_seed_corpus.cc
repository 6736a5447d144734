// make_seed_corpus OUT_DIR: writes the seed corpus of every fuzz target from
// real data (generated cases encoded by the real encoders), because a fuzzer
// starting from nothing rarely gets past a length-prefixed framing. Run once
// and commit its output in tests/fuzz/corpus/ (see README, Reliability).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "client/domain/case_import.h"
#include "client/domain/matter_catalog.h"
#include "client/testdata/case_generator.h"
#include "sync/api/event_codec.h"
#include "sync/protocol/blob_messages.h"
#include "sync/protocol/messages.h"

using namespace hallsync;
using namespace hallsync::client;
using namespace hallsync::protocol;

namespace {

std::filesystem::path out_dir;

void write(const std::string& target, const std::string& name, const std::string& bytes) {
  auto dir = out_dir / target;
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
}

// The raw message a fuzz target compresses itself, behind its choice byte
// (bit 0: the current version, else the oldest; bits 1–2: which message).
template <typename Message>
void message(const std::string& target, const std::string& name, int which, const Message& m, int version) {
  auto raw = decompress(encode(m, version), version);
  if (!raw) throw std::runtime_error(raw.status().to_string());
  std::string input(1, static_cast<char>((which << 1) | (version == kCurrentVersion ? 1 : 0)));
  write(target, name + "-v" + std::to_string(version), input + *raw);
}

std::string as_string(const std::vector<std::uint8_t>& b) { return std::string(b.begin(), b.end()); }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seed_corpus OUT_DIR\n");
    return 2;
  }
  out_dir = argv[1];
  const MatterCatalog& catalog = MatterCatalog::builtin();
  const CivilDate today = CivilDate::from_ymd(2026, 11, 27);
  testdata::CaseGenerator generator(catalog, {7, today, 365});

  PushRequest push{"360704100-W01", {}, {3, 1789696800000, -1200, "0.1.0", ""}};
  PullResponse pull{{}, 0, true, 1789696800000, "epoch-1"};
  for (int i = 0; i < 6; ++i) {
    ImportRecord record = generator.next_case();
    write("fuzz_import_line", "case-" + std::to_string(i), to_import_line(record));
    auto events = import_drafts(record, catalog, today);
    if (!events) continue;
    for (std::size_t k = 0; k < events->size(); ++k) {
      auto& e = (*events)[k];
      e.case_id = import_case_id("360704100", record.source_id);
      const std::string bytes = as_string(encode_event(e));
      write("fuzz_event_codec", "event-" + std::to_string(i) + "-" + std::to_string(k), bytes);
      push.entries.push_back({static_cast<std::int64_t>(push.entries.size() + 1), 1000u + k, "case_events",
                              e.case_id, bytes});
      pull.changes.push_back({static_cast<std::int64_t>(pull.changes.size() + 1), "case_events", e.case_id, bytes});
    }
  }
  pull.next_cursor = static_cast<std::int64_t>(pull.changes.size());
  // v3 names the chain around the batch (only the sizes matter to the decoder).
  push.chain_before = std::string(32, 'b');
  push.chain_head = std::string(32, 'h');
  PushResponse acked{static_cast<std::int64_t>(push.entries.size()), {{2, "unknown matter"}}, 1789696800000, "epoch-1"};
  PullRequest pull_request{"360704100-W01", 42, 250, false};
  DigestRequest digest_request{"360704100-W01", 3};
  DigestResponse digest{{{0, 12, std::string(64, 'a')}, {1, 0, std::string(64, 'e')}},
                        {{"0b5c9a4e-1d1f-5e0a-9a7b-3f7d2c1b0a99", "ev-1"}}, 1789696800000, "epoch-1"};
  for (int version : {kOldestVersion, kCurrentVersion}) {
    message("fuzz_hub_messages", "push", 0, push, version);
    message("fuzz_hub_messages", "pull", 1, pull_request, version);
    message("fuzz_hub_messages", "digest", 2, digest_request, version);
    message("fuzz_client_messages", "push-ack", 0, acked, version);
    message("fuzz_client_messages", "pull-page", 1, pull, version);
    message("fuzz_client_messages", "digest", 2, digest, version);
    const std::string sha(64, 'c');
    message("fuzz_blob_messages", "offer", 0, BlobOffer{"360704100-W01", sha, 5 << 20, "0b5c9a4e-1d1f-5e0a-9a7b-3f7d2c1b0a99"},
            version);
    message("fuzz_blob_messages", "read", 1, BlobRead{"360704100-W01", sha, 65536, 65536}, version);
    message("fuzz_blob_messages", "state", 2,
            BlobState{sha, 5 << 20, false, {{0, 131072}, {262144, 327680}}, 65536, 1789696800000, "epoch-1"}, version);
    write("fuzz_inflate", "push-v" + std::to_string(version),
          std::string(1, static_cast<char>(version == kCurrentVersion)) + encode(push, version));
  }

  write("fuzz_daemon_config", "full",
        "# halld.conf\nlisten = 127.0.0.1:8480\nsync_period_s = 300\ndebounce_s = 5\nstall_timeout_s = 30\n");
  write("fuzz_daemon_config", "bad-line", "listen 127.0.0.1\n");

  // fuzz_local_api: choice byte (bits 0–1 method GET/POST/PUT/DELETE, bits
  // 2+ path), a path suffix and a cookie (each length-prefixed), then the body.
  auto request = [](const std::string& name, int method, int path, const std::string& suffix,
                    const std::string& body) {
    std::string input(1, static_cast<char>(method | (path << 2)));
    input += static_cast<char>(suffix.size());
    input += suffix;
    input += '\0';  // no cookie
    write("fuzz_local_api", name, input + body);
  };
  request("register", 1, 0, "",
          R"({"matter_id":"GX-008","applicant_name":"张三","id_number":"360704198001011236",)"
          R"("phone":"13800001234","clerk_id":"c001","all_materials":true,"note":"现场受理"})");
  request("list", 0, 0, "?status=accepted&limit=50&q=3607", "");
  request("case-step", 1, 1, "360704100-W01-20260918-000001/steps/approve", R"({"clerk_id":"c001"})");
  request("catalog", 0, 2, "低保", "");
  request("login", 1, 3, "", R"({"clerk_id":"c001","password":"chuangkou-2026"})");
  request("sync-now", 1, 8, "", "");
  std::printf("seed corpus written to %s\n", out_dir.c_str());
  return 0;
}
