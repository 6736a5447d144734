// hallhub administration: halls, devices, the back office's case lists and
// decisions, and publishing reference data.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "client/domain/material_file.h"
#include "client/domain/matter_catalog.h"
#include "client/domain/work_calendar.h"
#include "sync/api/crypto_suite.h"
#include "sync/hub/hub_chain.h"
#include "tools/hallhub/hub_commands.h"

namespace hallsync::tools {
namespace {

struct AdminArgs {
  std::string hall, name, device, state, department, case_ref, officer = "office", reason, basis, stage = "decision",
                                                                 file, version, approver;
  std::vector<std::string> materials;
  int days = 0;
  bool approve = false, refuse = false, extend = false;
};

void common(CLI::App* cmd, HubCommandSet& set, bool json = false) {
  cmd->add_option("--data-dir", set.data_dir, "hub data directory")->required();
  cmd->add_option("--store", set.store, "postgresql://… URL of the hub's PostgreSQL store (default: SQLite in --data-dir)");
  if (json) cmd->add_flag("--json", set.json, "JSON output");
}

template <typename Fn>
void on_run(CLI::App* cmd, HubCommandSet& set, Fn fn) {
  cmd->callback([&set, fn] {
    set.action = [&set, fn] {
      auto hub = open_hub(set.data_dir, set.store);
      if (!hub) return 2;
      return fn(*hub);
    };
  });
}

}  // namespace

void add_admin_commands(CLI::App& app, HubCommandSet& set) {
  auto a = std::make_shared<AdminArgs>();

  auto* hall = app.add_subcommand("hall", "halls")->require_subcommand(1);
  auto* hall_add = hall->add_subcommand("add", "register a hall");
  common(hall_add, set);
  hall_add->add_option("--code", a->hall, "township code, e.g. 360704100")->required();
  hall_add->add_option("--name", a->name, "name, e.g. 梅林镇综合便民服务中心")->required();
  on_run(hall_add, set, [a](hub::HubService& hub) {
    Status s = hub.add_hall(a->hall, a->name);
    if (!s.is_ok()) return report_error(s);
    std::cout << "hall " << a->hall << " registered\n";
    return 0;
  });

  auto* device = app.add_subcommand("device", "devices")->require_subcommand(1);
  auto* dev_add = device->add_subcommand("add", "register a device of a hall and print its token (shown once)");
  common(dev_add, set);
  dev_add->add_option("--hall", a->hall, "hall code")->required();
  dev_add->add_option("--device", a->device, "device code, e.g. W01")->required();
  on_run(dev_add, set, [a](hub::HubService& hub) {
    auto token = hub.add_device(a->hall, a->device);
    if (!token) return report_error(token.status());
    std::cout << *token << "\n";
    return 0;
  });
  auto ttl_hours = std::make_shared<double>(24);
  auto* enroll_code = app.add_subcommand(
      "enroll-code", "issue a one-time enrollment code for a device (the hall runs `hallctl enroll --code`)");
  common(enroll_code, set, true);
  enroll_code->add_option("--hall", a->hall, "hall code")->required();
  enroll_code->add_option("--device", a->device, "device code, e.g. W01")->required();
  enroll_code->add_option("--ttl-hours", *ttl_hours, "how long the code stays valid (default 24; at most 720)");
  on_run(enroll_code, set, [a, ttl_hours, &set](hub::HubService& hub) {
    auto ttl_ms = static_cast<std::int64_t>(*ttl_hours * 3600 * 1000);
    auto code = hub.issue_enrollment_code(a->hall, a->device, ttl_ms);
    if (!code) return report_error(code.status());
    if (set.json)
      std::cout << nlohmann::json{{"code", *code}, {"device_id", a->hall + "-" + a->device}, {"ttl_ms", ttl_ms}}.dump()
                << "\n";
    else
      std::cout << *code << "\n";
    return 0;
  });

  auto* dev_revoke = device->add_subcommand("revoke", "revoke a device");
  common(dev_revoke, set);
  dev_revoke->add_option("DEVICE", a->device, "device id, e.g. 360704100-W01")->required();
  on_run(dev_revoke, set, [a](hub::HubService& hub) {
    Status s = hub.revoke_device(a->device);
    if (!s.is_ok()) return report_error(s);
    std::cout << "device " << a->device << " revoked\n";
    return 0;
  });

  auto* dev_chain = device->add_subcommand("chain", "the device's change-log chain head the hub verified, and its re-anchorings");
  common(dev_chain, set);
  dev_chain->add_option("DEVICE", a->device, "device id, e.g. 360704100-W01")->required();
  on_run(dev_chain, set, [a](hub::HubService& hub) {
    auto chain = hub::device_chain(hub.db(), a->device);
    if (!chain) return report_error(chain.status());
    std::cout << (chain->head.empty() ? "head: none verified (the next chained push anchors it)"
                                      : "head at sequence " + std::to_string(chain->head_seq) + ": " + crypto::to_hex(chain->head))
              << "\n";
    for (const auto& anchor : chain->anchors)
      std::cout << "anchored at sequence " << anchor.seq << " (" << anchor.at_ms << "): " << anchor.reason << "\n";
    return 0;
  });

  auto* devices = app.add_subcommand("devices", "list devices with their last contact and state");
  common(devices, set, true);
  on_run(devices, set, [&set](hub::HubService& hub) {
    auto rows = hub.devices();
    if (!rows) return report_error(rows.status());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& d : *rows) {
      out.push_back({{"device_id", d.device_id}, {"hall_code", d.hall_code}, {"status", d.status},
                     {"high_water", d.high_water}, {"last_seen_ms", d.last_seen_ms}, {"unsent", d.unsent},
                     {"clock_offset_ms", d.clock_offset_ms}, {"software_version", d.software_version},
                     {"auth", d.legacy_bearer ? "legacy-bearer" : "signed"}});
      if (!set.json)
        std::cout << d.device_id << "  " << d.status << "  acked through " << d.high_water << "  last seen "
                  << d.last_seen_ms << "  unsent " << d.unsent << "  clock offset " << d.clock_offset_ms << " ms"
                  << (d.legacy_bearer ? "  LEGACY BEARER TOKEN (enrolled before request signing; upgrades at its"
                                        " next sync with current software, or re-issue with `hallhub device add`)"
                                      : "")
                  << "\n";
    }
    if (set.json) std::cout << out.dump(2) << "\n";
    return 0;
  });

  auto* cases = app.add_subcommand("cases", "cases at the hub, e.g. those waiting for a department");
  common(cases, set, true);
  cases->add_option("--state", a->state, "accepted, forwarded, approved, refused, ...");
  cases->add_option("--department", a->department, "back-office department, e.g. 民政局");
  on_run(cases, set, [a, &set](hub::HubService& hub) {
    auto rows = hub.cases(a->state, a->department);
    if (!rows) return report_error(rows.status());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : *rows) {
      out.push_back({{"case_id", c.case_id}, {"hall_code", c.hall_code}, {"acceptance_no", c.acceptance_no},
                     {"platform_case_no", c.platform_case_no}, {"matter_id", c.matter_id}, {"state", c.state},
                     {"department", c.department}, {"open_conflicts", c.open_conflicts}});
      if (!set.json)
        std::cout << c.platform_case_no << "  " << c.acceptance_no << "  " << c.matter_id << "  " << c.state << "  "
                  << c.department << "\n";
    }
    if (set.json) std::cout << out.dump(2) << "\n";
    return 0;
  });

  auto* decide = app.add_subcommand("decide", "record a back-office decision; it flows down to the hall");
  common(decide, set, true);
  decide->add_option("CASE", a->case_ref, "case id, acceptance number or platform case number")->required();
  decide->add_flag("--approve", a->approve, "准予");
  decide->add_flag("--refuse", a->refuse, "不予许可 (needs --reason and --basis)");
  decide->add_flag("--extend", a->extend, "延期 (needs --days and --reason)");
  decide->add_option("--request-materials", a->materials, "ask the hall for more materials");
  decide->add_option("--reason", a->reason, "reason");
  decide->add_option("--basis", a->basis, "legal basis");
  decide->add_option("--stage", a->stage, "acceptance or decision (refusals)")->check(CLI::IsMember({"acceptance", "decision"}));
  decide->add_option("--days", a->days, "extension days")->check(CLI::Range(1, 365));
  decide->add_option("--approver", a->approver, "approving leader");
  decide->add_option("--officer", a->officer, "back-office officer id");
  on_run(decide, set, [a](hub::HubService& hub) {
    int chosen = a->approve + a->refuse + a->extend + !a->materials.empty();
    if (chosen != 1)
      return report_error(Status::validation("choose exactly one of --approve, --refuse, --extend, --request-materials"));
    schema::CaseEvent e;
    e.clerk_id = a->officer;
    e.approver = a->approver;
    e.kind = a->approve ? schema::EventKind::Approved
             : a->refuse ? schema::EventKind::Refused
             : a->extend ? schema::EventKind::Extended
                         : schema::EventKind::MaterialsRequested;
    e.reason = a->reason;
    e.legal_basis = a->basis;
    if (a->refuse) e.stage = a->stage;
    e.days = a->days;
    e.materials = a->materials;
    auto row = hub.decide(a->case_ref, e);
    if (!row) return report_error(row.status());
    std::cout << "recorded: " << row->platform_case_no << " is now " << row->state << "\n";
    return 0;
  });

  auto* publish = app.add_subcommand("publish", "publish a matter catalog or calendar to every hall");
  common(publish, set);
  publish->add_option("--catalog", a->file, "matters CSV (schema/catalog/README.md)");
  publish->add_option("--calendar", a->name, "calendar CSV");
  publish->add_option("--version", a->version, "version being published")->required();
  on_run(publish, set, [a](hub::HubService& hub) {
    if (a->file.empty() == a->name.empty()) return report_error(Status::validation("give exactly one of --catalog or --calendar"));
    std::string path = a->file.empty() ? a->name : a->file;
    std::ifstream in(path, std::ios::binary);
    if (!in) return report_error(Status::not_found("cannot read " + path));
    std::stringstream body;
    body << in.rdbuf();
    // Refuse a file the halls would refuse: parse it as they will.
    bool catalog = !a->file.empty();
    std::string file_version;
    if (catalog) {
      auto parsed = client::MatterCatalog::parse_csv(body.str());
      if (!parsed) return report_error(parsed.status());
      file_version = parsed->version();
    } else {
      auto parsed = client::WorkCalendar::parse_csv(body.str());
      if (!parsed) return report_error(parsed.status());
      file_version = parsed->version();
    }
    if (file_version != a->version)
      return report_error(Status::validation("--version " + a->version + " does not match the file's version " + file_version));
    Status s = hub.publish_reference(catalog ? "matters" : "calendar", a->version, body.str());
    if (!s.is_ok()) return report_error(s);
    std::cout << "published " << path << " as version " << a->version << "\n";
    return 0;
  });

  auto* gc = app.add_subcommand("gc-blobs", "drop uploads of scanned materials abandoned half-way (older than the grace period)");
  common(gc, set);
  auto grace_days = std::make_shared<int>(7);
  gc->add_option("--grace-days", *grace_days, "keep incomplete uploads touched within this many days")->check(CLI::Range(1, 3650));
  on_run(gc, set, [grace_days](hub::HubService& hub) {
    auto n = hub.collect_abandoned_blobs(static_cast<std::int64_t>(*grace_days) * 24 * 3600 * 1000);
    if (!n) return report_error(n.status());
    std::cout << *n << " abandoned upload(s) dropped\n";
    return 0;
  });

  auto* attach = app.add_subcommand("attach", "issue a document (JPEG, PNG or PDF) for a case; the hall downloads it");
  common(attach, set);
  attach->add_option("CASE", a->case_ref, "case id, acceptance number or platform case number")->required();
  attach->add_option("FILE", a->file, "the document")->required();
  attach->add_option("--material", a->name, "what it is, e.g. 准予许可决定书")->required();
  attach->add_option("--officer", a->officer, "who issues it");
  on_run(attach, set, [a](hub::HubService& hub) {
    auto bytes = client::read_material_file(a->file);
    if (!bytes) return report_error(bytes.status());
    auto blob = hub.store_issued_blob(a->case_ref, *bytes);
    if (!blob) return report_error(blob.status());
    schema::CaseEvent e;
    e.kind = schema::EventKind::MaterialAttached;
    e.clerk_id = a->officer;
    e.materials = {a->name};
    e.value = client::material_descriptor({blob->sha256, blob->size, *client::sniff_media_type(*bytes)});
    auto row = hub.decide(a->case_ref, e);
    if (!row) return report_error(row.status());
    std::cout << "issued " << a->name << " (" << blob->size << " bytes) for case " << row->case_id
              << "; hall " << row->hall_code << " downloads it at its next sync\n";
    return 0;
  });
}

}  // namespace hallsync::tools
