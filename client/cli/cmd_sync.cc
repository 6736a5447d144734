// `hall sync now` and `hall sync status`: the clerk's view of background sync.
// They ask the running halld over its local API (address from DATA_DIR/halld.conf
// `listen`, default 127.0.0.1:8480) — the daemon owns sync, `hall` never syncs
// by itself. When halld is down they say so and exit 4; `status` then still
// shows what the store knows (unsent changes, the last recorded sessions).
#include <chrono>
#include <ctime>
#include <iostream>
#include <thread>

#include "client/cli/cli_support.h"
#include "client/daemon/daemon_config.h"
#include "client/daemon/sync_history.h"
#include "sync/api/change_log.h"
#include "sync/api/transport.h"

namespace hallsync::client::cli {
namespace {

using nlohmann::json;

constexpr int kDaemonDown = 4;
constexpr int kSyncFailed = 2;

struct SyncOptions {
  std::string daemon;  // --daemon HOST:PORT, overrides halld.conf
  bool wait = false;
  int wait_s = 120;
};

// Beijing time, as every date a clerk sees (CivilDate::from_unix_ms is UTC+8
// too), whatever the PC's time zone is set to.
std::string local_time(std::int64_t ms) {
  if (ms <= 0) return "—";
  std::time_t t = static_cast<std::time_t>(ms / 1000 + 8 * 3600);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string class_label(const std::string& cls) {
  if (cls == "dns") return "无法解析省平台地址（域名解析失败）";
  if (cls == "connect") return "无法连接省平台";
  if (cls == "timeout") return "网络超时或传输停滞";
  if (cls == "tls") return "加密连接或证书校验失败";
  if (cls == "http") return "省平台返回错误";
  if (cls == "auth") return "本机未获授权（令牌无效或已吊销）";
  if (cls == "protocol") return "同步协议错误";
  if (cls == "local_disk") return "本机存储错误";
  if (cls == "no_hub_link") return "未配置省平台连接（请技术人员运行 hallctl configure）";
  return "网络错误";
}

// The halld API client of one command run.
class Daemon {
 public:
  explicit Daemon(std::string address) : address_(std::move(address)) {
    CurlTransportOptions o;
    o.base_url = "http://" + address_;
    o.connect_timeout_ms = 2'000;
    o.total_timeout_ms = 5'000;  // loopback: a live halld answers at once
    transport_ = make_curl_transport(o);
  }
  const std::string& address() const { return address_; }

  Result<json> call(const std::string& method, const std::string& target) {
    HttpRequest r;
    r.method = method;
    r.target = target;
    if (method == "POST") r.headers = {{"Content-Type", "application/json"}};
    auto reply = transport_->exchange(r);
    if (!reply) return reply.status();
    json body = json::parse(reply->body, nullptr, false);
    if (reply->status >= 300 || !body.is_object())
      return Status::internal("halld 返回 HTTP " + std::to_string(reply->status) + "：" +
                              (body.is_object() ? body.value("message", std::string()) : reply->body));
    return body;
  }

 private:
  std::string address_;
  std::unique_ptr<Transport> transport_;
};

Result<std::string> daemon_address(const GlobalOptions& g, const SyncOptions& o) {
  if (!o.daemon.empty()) return o.daemon;
  std::string dir = data_dir(g);
  if (dir.empty()) return Status::validation("请用 --data-dir 指定数据目录");
  return daemon::configured_listen(dir);
}

int daemon_down(const Daemon& d, const Status& why) {
  std::cerr << "错误：本机同步服务 halld（" << d.address() << "）没有响应：" << why.message()
            << "\n请确认 halld 已启动（如 systemctl status halld），或联系技术人员。窗口受理不受影响，"
               "登记的办件会在 halld 恢复后自动上传。\n";
  return kDaemonDown;
}

void print_status_text(const json& s, const std::string& address) {
  std::cout << "同步服务 halld：运行中（" << address << "）\n";
  std::string link = !s.value("hub_linked", false) && s.value("sessions", 0) > 0 ? "未配置"
                     : s.value("online", false)                                 ? "在线"
                                                                                 : "离线";
  std::cout << "与省平台连接：" << link << (s.value("running", false) ? "（正在同步）" : "") << "\n";
  std::cout << "上次成功同步："
            << (s["last_success_ms"].is_null() ? std::string("本次启动后尚未成功")
                                               : local_time(s["last_success_ms"].get<std::int64_t>()))
            << "\n";
  std::int64_t pending = s.value("pending", std::int64_t{0});
  std::cout << "待上传变更：" << pending << " 条";
  if (pending > 0) std::cout << "（最早一条写于 " << local_time(s["outbox"].value("oldest_pending_ms", std::int64_t{0})) << "）";
  std::cout << "\n下次同步：" << (s.value("running", false) ? "进行中" : local_time(s.value("next_run_ms", std::int64_t{0})))
            << "\n";
  if (!s["last_error"].is_null()) {
    const json& e = s["last_error"];
    std::cout << "上次错误：" << class_label(e.value("class", "")) << "（" << e.value("kind", "") << "/"
              << e.value("code", "") << "，连续失败 " << s.value("consecutive_failures", 0) << " 次）\n  "
              << e.value("message", "") << "\n";
  }
}

// halld is down: what the store itself says (read-only).
int status_from_store(const GlobalOptions& g, const Daemon& d, const Status& why) {
  int code = daemon_down(d, why);
  auto store = open_store(g);
  if (!store) return code;
  ChangeLog log(store->db());
  auto outbox = log.stats();
  auto success = daemon::last_success_ms(store->db());
  auto runs = daemon::recent_sync_runs(store->db(), 1);
  if (!outbox) return report(outbox.status());
  if (!success) return report(success.status());
  if (!runs) return report(runs.status());
  if (g.json) {
    json last = runs->empty() ? json(nullptr)
                              : json{{"ended_ms", runs->front().ended_ms},
                                     {"outcome", runs->front().ok ? "ok" : "error"},
                                     {"error_class", daemon::error_class(runs->front().error_kind, runs->front().error_code)}};
    print_json({{"daemon", "down"},
                {"address", d.address()},
                {"pending", outbox->pending},
                {"last_success_ms", *success ? json(*success) : json(nullptr)},
                {"last_run", last}});
    return code;
  }
  std::cout << "（以下为本机数据库记录）\n待上传变更：" << outbox->pending << " 条\n上次成功同步："
            << (*success ? local_time(*success) : std::string("从未")) << "\n";
  if (!runs->empty() && !runs->front().ok)
    std::cout << "最近一次同步失败（" << local_time(runs->front().ended_ms) << "）："
              << class_label(daemon::error_class(runs->front().error_kind, runs->front().error_code)) << "\n";
  return code;
}

int run_status(const GlobalOptions& g, const SyncOptions& o) {
  auto address = daemon_address(g, o);
  if (!address) return report(address.status());
  Daemon d(*address);
  auto s = d.call("GET", "/api/sync/status");
  if (!s) return status_from_store(g, d, s.status());
  if (g.json) {
    json out = *s;
    out["daemon"] = "running";
    out["address"] = d.address();
    print_json(out);
  } else {
    print_status_text(*s, d.address());
  }
  return 0;
}

int run_now(const GlobalOptions& g, const SyncOptions& o) {
  auto address = daemon_address(g, o);
  if (!address) return report(address.status());
  Daemon d(*address);
  auto asked = d.call("POST", "/api/sync");
  if (!asked) return daemon_down(d, asked.status());
  std::uint64_t session = asked->value("session", std::uint64_t{0});
  if (!o.wait) {
    if (g.json) print_json({{"session", session}, {"finished", false}});
    else std::cout << "已请求 halld 立即同步（第 " << session << " 次）。用 hall sync status 查看结果。\n";
    return 0;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(o.wait_s);
  for (;;) {
    auto s = d.call("GET", "/api/sync/status");
    if (!s) return daemon_down(d, s.status());
    if (s->value("sessions", std::uint64_t{0}) >= session) {
      auto runs = d.call("GET", "/api/sync/history?limit=1");
      if (!runs) return daemon_down(d, runs.status());
      json run = (*runs)["runs"].empty() ? json(nullptr) : (*runs)["runs"][0];
      bool ok = s->value("last_error", json(nullptr)).is_null();
      if (g.json) {
        print_json({{"session", session}, {"finished", true}, {"outcome", ok ? "ok" : "error"}, {"run", run},
                    {"pending", (*s)["pending"]}});
      } else if (ok) {
        std::cout << "同步完成：上传 " << (run.is_null() ? 0 : run.value("pushed", 0)) << " 条，下载 "
                  << (run.is_null() ? 0 : run.value("pulled", 0)) << " 条；待上传 " << s->value("pending", 0)
                  << " 条\n";
      } else {
        const json& e = (*s)["last_error"];
        std::cerr << "同步失败：" << class_label(e.value("class", "")) << "（" << e.value("kind", "") << "/"
                  << e.value("code", "") << "）\n  " << e.value("message", "")
                  << "\nhalld 会自动重试；已登记的办件都保存在本机，不会丢失。\n";
      }
      return ok ? 0 : kSyncFailed;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      std::cerr << "错误：等待 " << o.wait_s << " 秒后同步仍未结束；halld 会继续进行，可用 hall sync status 查看。\n";
      return kSyncFailed;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace

void add_sync_commands(CLI::App& app, CommandSet& set) {
  auto* sync = app.add_subcommand("sync", "与省平台同步（由本机 halld 服务执行）");
  sync->require_subcommand(1);
  auto options = std::make_shared<SyncOptions>();

  auto* now = sync->add_subcommand("now", "请 halld 立即同步一次");
  add_data_dir(*now, set.options);
  add_json(*now, set.options);
  now->add_option("--daemon", options->daemon, "halld 地址 HOST:PORT（默认取 halld.conf 的 listen）");
  now->add_flag("--wait", options->wait, "等待同步结束并显示结果");
  now->add_option("--timeout", options->wait_s, "最长等待秒数（默认 120）")->check(CLI::Range(1, 3600));
  now->callback([&set, options] { set.action = [&set, options] { return run_now(set.options, *options); }; });

  auto* status = sync->add_subcommand("status", "查看同步状态：是否在线、上次成功、待上传条数、下次同步、上次错误");
  add_data_dir(*status, set.options);
  add_json(*status, set.options);
  status->add_option("--daemon", options->daemon, "halld 地址 HOST:PORT（默认取 halld.conf 的 listen）");
  status->callback([&set, options] { set.action = [&set, options] { return run_status(set.options, *options); }; });
}

}  // namespace hallsync::client::cli
