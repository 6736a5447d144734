// `hallctl case-proof CASE` and `hallctl verify-proof FILE`: an audit proof of
// one case's history on this device's hash chain, and its independent check
// (logic in client/diagnostics/case_proof.cc). Making a proof is recorded in
// the hall's audit log; the proof itself holds no personal data.
#include <fstream>
#include <iostream>

#include "client/diagnostics/case_proof.h"
#include "client/store/hall_store.h"
#include "tools/hallctl/ctl_commands.h"

namespace hallsync::tools {

void add_proof_commands(CLI::App& app, CtlCommandSet& set) {
  auto* make = app.add_subcommand("case-proof", "write an audit proof of one case's history on this device's hash chain "
                                                "(JSON, no personal data)");
  auto case_ref = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  make->add_option("--data-dir", set.data_dir, "hall data directory")->required();
  make->add_option("CASE", *case_ref, "case id, acceptance number or platform case number")->required();
  make->add_option("--out", *out, "write the proof to this file (default: standard output)");
  make->callback([&set, case_ref, out] {
    set.action = [&set, case_ref, out] {
      auto store = client::HallStore::open(set.data_dir, SystemClock::instance(), WriterRank::Background);
      if (!store) return ctl_error(store.status());
      auto proof = client::diagnostics::case_proof(**store, *case_ref);
      Status outcome = proof.status();
      if (proof) {
        if (out->empty()) {
          std::cout << proof->dump(2) << "\n";
        } else {
          std::ofstream f(*out, std::ios::trunc);
          f << proof->dump(2) << "\n";
          if (!f.flush()) outcome = Status::storage("cannot write " + *out);
        }
      }
      store->reset();  // audit_ctl opens the store itself
      audit_ctl(set.data_dir, "case_proof", proof ? (*proof)["case_id"].get<std::string>() : *case_ref, outcome);
      return outcome.is_ok() ? 0 : ctl_error(outcome);
    };
  });

  auto* verify = app.add_subcommand("verify-proof", "recompute every link of a case proof; exit 0 valid, 2 broken");
  auto file = std::make_shared<std::string>();
  verify->add_option("FILE", *file, "a proof written by `hallctl case-proof`")->required();
  verify->add_flag("--json", set.json, "JSON output");
  verify->callback([&set, file] {
    set.action = [&set, file] {
      std::ifstream f(*file);
      if (!f) return ctl_error(Status::not_found("cannot read " + *file));
      auto proof = nlohmann::json::parse(f, nullptr, false);
      auto check = client::diagnostics::verify_case_proof(proof);
      if (!check) return ctl_error(check.status());
      if (set.json) {
        std::cout << nlohmann::json{{"valid", check->valid}, {"detail", check->detail}, {"case_events", check->case_events},
                                    {"acknowledged_seq", check->acknowledged_seq},
                                    {"acknowledged_head", check->acknowledged_head}}
                         .dump(2)
                  << "\n";
      } else {
        std::cout << (check->valid ? "valid: " : "BROKEN: ") << check->detail << "\n";
        if (check->valid && !check->acknowledged_head.empty())
          std::cout << "acknowledged head at sequence " << check->acknowledged_seq << ": " << check->acknowledged_head
                    << "\n(compare with the hub's head for " << proof.value("device_id", "") << ": `hallhub device chain`)\n";
      }
      return check->valid ? 0 : 2;
    };
  });
}

}  // namespace hallsync::tools
