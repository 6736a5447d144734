// `hall case attach | fetch-materials | save-material`: scanned materials at the
// window — attach a scan, ask for the ones another PC of the hall attached,
// and save a held one to a file to print or show.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "client/cli/cli_support.h"
#include "client/store/audit_log.h"
#include "client/store/material_fetch.h"

namespace hallsync::client::cli {
namespace {

struct AttachArgs {
  std::string case_ref, file, material;
  bool keep_original = false;
};
struct SaveArgs {
  std::string case_ref, which, out;
};

std::string kib(std::int64_t bytes) { return std::to_string((bytes + 1023) / 1024) + " KB"; }

void add_attach(CLI::App& case_cmd, CommandSet& set) {
  auto* attach = case_cmd.add_subcommand("attach", "上传扫描材料（JPEG、PNG 或 PDF，不超过 10 MB）");
  auto a = std::make_shared<AttachArgs>();
  add_data_dir(*attach, set.options);
  add_clerk(*attach, set.options);
  add_json(*attach, set.options);
  attach->add_option("CASE", a->case_ref, "受理编号或案件ID")->required();
  attach->add_option("FILE", a->file, "扫描文件")->required();
  attach->add_option("--material", a->material, "材料名称，如 申请人居民身份证")->required();
  attach->add_flag("--keep-original", a->keep_original, "保留原图，不缩小（默认：长边超过 2480 像素的 JPEG 在安全时缩小）");
  attach->callback([&set, a] {
    set.action = [&set, a] {
      auto store = open_store(set.options);
      if (!store) return 3;
      auto r = attach_material_file(*store, a->case_ref, a->file, a->material, clerk_id(set.options),
                                    AttachOptions{a->keep_original});
      if (!r) return report(r.status());
      if (set.options.json) {
        print_json(case_detail_json(r->view, *store, today(*store)));
        return 0;
      }
      std::cout << "已保存扫描材料“" << a->material << "”（" << r->file.media_type << "，" << r->file.size / 1024
                << " KB），受理编号 " << r->view.acceptance_no << "；联网同步时自动上传（状态：未上传）\n";
      if (r->file.downscaled())
        std::cout << "原图 " << r->file.original_width << "×" << r->file.original_height << "（"
                  << r->file.original_size / 1024 << " KB）已缩小，文字仍清晰；需要原图请加 --keep-original 重新上传\n";
      return 0;
    };
  });
}

void add_fetch(CLI::App& case_cmd, CommandSet& set) {
  auto* fetch = case_cmd.add_subcommand("fetch-materials", "把本厅其他电脑上传的扫描材料下载到本机（下次同步时下载）");
  auto ref = std::make_shared<std::string>();
  add_data_dir(*fetch, set.options);
  add_json(*fetch, set.options);
  fetch->add_option("CASE", *ref, "受理编号或案件ID")->required();
  fetch->callback([&set, ref] {
    set.action = [&set, ref] {
      auto store = open_store(set.options);
      if (!store) return 3;
      auto r = queue_material_downloads(*store, *ref);
      if (!r) return report(r.status());
      if (set.options.json) {
        nlohmann::json j = case_detail_json(r->view, *store, today(*store));
        j["fetch"] = {{"queued", r->queued}, {"already_queued", r->already_queued}, {"here", r->here},
                      {"queued_bytes", r->queued_bytes}};
        print_json(j);
        return 0;
      }
      if (r->queued == 0 && r->already_queued == 0) {
        std::cout << "受理编号 " << r->view.acceptance_no << " 的扫描材料都已在本机（" << r->here << " 份）\n";
        return 0;
      }
      if (r->queued) std::cout << "已加入下载队列 " << r->queued << " 份扫描材料（共 " << kib(r->queued_bytes) << "）";
      if (r->already_queued) std::cout << (r->queued ? "；另有 " : "") << r->already_queued << " 份已在下载队列中";
      std::cout << "。联网同步时下载（halld 自动同步，或技术人员运行 hallctl sync）\n";
      return 0;
    };
  });
}

void add_save(CLI::App& case_cmd, CommandSet& set) {
  auto* save = case_cmd.add_subcommand("save-material", "把本机保存的一份扫描材料另存为文件（用于查看、打印）");
  auto a = std::make_shared<SaveArgs>();
  add_data_dir(*save, set.options);
  save->add_option("CASE", a->case_ref, "受理编号或案件ID")->required();
  save->add_option("WHICH", a->which, "第几份（按 hall case show 所列，从 1 起）或文件的 SHA-256 前 8 位以上")->required();
  save->add_option("--out", a->out, "保存到的文件（不覆盖已有文件）")->required();
  save->callback([&set, a] {
    set.action = [&set, a] {
      auto store = open_store(set.options);
      if (!store) return 3;
      auto r = read_material(*store, a->case_ref, a->which);
      if (!r) return report(r.status());
      std::error_code ec;
      if (std::filesystem::exists(a->out, ec)) return report(Status::validation("文件已存在，不覆盖：" + a->out));
      // Written beside the target, then renamed: no half-written scan under its name.
      std::string tmp = a->out + ".part";
      {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(r->bytes.data(), static_cast<std::streamsize>(r->bytes.size()));
        out.close();
        if (!out) {
          std::filesystem::remove(tmp, ec);
          return report(Status::storage("无法写入文件 " + a->out));
        }
      }
      std::filesystem::rename(tmp, a->out, ec);
      if (ec) return report(Status::storage("无法写入文件 " + a->out + "：" + ec.message()));
      // #7: a citizen's scan leaving the store for a file is an export, audited.
      AuditEntry entry{0, store->clock().now_ms(), os_actor(), "scan_export", a->case_ref, "ok",
                       r->attachment.material + " → " + a->out.substr(a->out.find_last_of('/') + 1)};
      if (Status s = record_audit(store->db(), entry); !s.is_ok()) return report(s);
      std::cout << "已保存扫描材料“" << r->attachment.material << "”（" << r->attachment.media_type << "，"
                << kib(r->attachment.size) << "）到 " << a->out << "\n";
      return 0;
    };
  });
}

}  // namespace

void add_case_material_commands(CLI::App& case_cmd, CommandSet& set) {
  add_attach(case_cmd, set);
  add_fetch(case_cmd, set);
  add_save(case_cmd, set);
}

}  // namespace hallsync::client::cli
