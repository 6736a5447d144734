// Seeded case generation: a splitmix64 stream drives every choice.
#include "client/testdata/case_generator.h"

#include <algorithm>
#include <cstdio>

#include "client/domain/resident_id.h"

namespace hallsync::client::testdata {
namespace {

using schema::EventKind;

constexpr const char* kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱",
                                     "胡", "郭", "何", "林", "罗", "高", "钟", "谢", "邱", "曾", "廖", "温", "赖", "欧阳"};
constexpr const char* kGiven[] = {"伟", "芳", "娜", "敏", "静", "秀英", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰",
                                  "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "文", "华", "金凤",
                                  "小红", "志强", "春梅", "国平", "海燕", "水生", "冬生", "香莲"};
constexpr const char* kMobilePrefixes[] = {"130", "131", "132", "133", "135", "136", "137", "138", "139", "150",
                                           "151", "152", "157", "158", "159", "177", "180", "181", "182", "183",
                                           "186", "187", "188", "189", "199"};
constexpr const char* kAreaCodes[] = {"360704", "360721"};  // 赣县区, and 赣县 before 2017 (frozen in old IDs)
constexpr const char* kNotes[] = {"", "", "", "申请人行动不便，由家属陪同办理", "申请人要求电话通知结果", "材料原件已核验",
                                  "村委会已出具证明", "申请人为独居老人，请优先办理", "复印件已加盖村委会公章",
                                  "申请人外出务工，委托亲属代办"};
constexpr const char* kExtraMaterials[] = {"申请人近期免冠照片", "户口簿复印件", "村（居）委会证明", "委托书", "银行卡复印件"};
constexpr const char* kApprovers[] = {"刘科长", "陈主任", "钟站长", "曾所长", "谢副主任"};
constexpr const char* kRefusals[] = {"申请人不符合申请条件", "申请事项不属于本机关职权范围", "提供的证明材料与实际情况不符"};
constexpr const char* kBases[] = {"《中华人民共和国行政许可法》第三十二条", "《社会救助暂行办法》第十一条",
                                  "《江西省最低生活保障办法》第九条"};
constexpr const char* kExtensions[] = {"需入户核查家庭经济状况", "需征求村民代表意见", "需上级部门会审"};
constexpr const char* kPauses[] = {"公示期（不计入办理时限）", "组织听证", "委托专业机构鉴定"};
constexpr const char* kWithdrawals[] = {"申请人主动撤回申请", "申请人已在其他地方办理"};

template <std::size_t N>
constexpr std::size_t count(const char* const (&)[N]) { return N; }

}  // namespace

CaseGenerator::CaseGenerator(const MatterCatalog& catalog, GeneratorOptions options)
    : catalog_(&catalog), options_(options), state_(options.seed) {}

std::uint64_t CaseGenerator::below(std::uint64_t bound) {
  // splitmix64: tiny, fast, and identical everywhere.
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return (z ^ (z >> 31)) % bound;
}

std::string CaseGenerator::pick(const char* const* list, std::size_t n) { return list[below(n)]; }

std::string CaseGenerator::clerk() { return "c00" + std::to_string(1 + below(6)); }

const Matter& CaseGenerator::pick_matter() { return catalog_->matters()[below(catalog_->matters().size())]; }

schema::Applicant CaseGenerator::next_applicant() {
  schema::Applicant a;
  a.name = pick(kSurnames, count(kSurnames)) + pick(kGiven, count(kGiven));
  int year = options_.today.year() - 18 - static_cast<int>(below(68));
  char first17[32];
  std::snprintf(first17, sizeof first17, "%s%04d%02u%02u%03u", pick(kAreaCodes, count(kAreaCodes)).c_str(), year,
                static_cast<unsigned>(1 + below(12)), static_cast<unsigned>(1 + below(28)),
                static_cast<unsigned>(below(1000)));
  a.id_number = std::string(first17) + resident_id_check_char(first17);
  char phone[16];
  std::snprintf(phone, sizeof phone, "%s%08u", pick(kMobilePrefixes, count(kMobilePrefixes)).c_str(),
                static_cast<unsigned>(below(100000000)));
  a.phone = phone;
  return a;
}

std::vector<std::string> CaseGenerator::materials_for(const Matter& m, std::vector<std::string>& missing) {
  std::vector<std::string> received = m.materials;
  if (received.size() > 1 && below(5) == 0) {  // the applicant forgot one or two
    std::size_t n = 1 + below(std::min<std::size_t>(2, received.size() - 1));
    for (std::size_t i = 0; i < n; ++i) {
      auto at = received.begin() + static_cast<std::ptrdiff_t>(below(received.size()));
      missing.push_back(*at);
      received.erase(at);
    }
  }
  std::size_t want = 3 + below(4);
  for (std::size_t tries = 0; received.size() < want && tries < 10; ++tries) {
    std::string extra = pick(kExtraMaterials, count(kExtraMaterials));
    if (std::find(received.begin(), received.end(), extra) == received.end() &&
        std::find(m.materials.begin(), m.materials.end(), extra) == m.materials.end())
      received.push_back(extra);
  }
  return received;
}

IntakeForm CaseGenerator::next_intake(bool all_materials) {
  const Matter& m = pick_matter();
  schema::Applicant a = next_applicant();
  std::vector<std::string> missing;
  std::vector<std::string> materials = all_materials ? m.materials : materials_for(m, missing);
  return {m.matter_id, a.name, a.id_number, a.phone, std::move(materials), pick(kNotes, count(kNotes)), clerk(), {}, {}};
}

bool CaseGenerator::try_step(ImportRecord& r, ImportStep step) {
  CivilDate last = r.history.empty() ? r.accepted_on : r.history.back().date;
  step.date = std::min(options_.today, last.plus_days(static_cast<int>(below(4))));
  if (step.clerk.empty()) step.clerk = clerk();
  r.history.push_back(std::move(step));
  if (check_import_history(r, *catalog_, options_.today).is_ok()) return true;
  r.history.pop_back();
  return false;
}

ImportStep CaseGenerator::refusal(const char* stage) {
  ImportStep refuse;
  refuse.kind = EventKind::Refused;
  refuse.stage = stage;
  refuse.reason = pick(kRefusals, count(kRefusals));
  refuse.legal_basis = pick(kBases, count(kBases));
  refuse.approver = pick(kApprovers, count(kApprovers));
  return refuse;
}

ImportStep CaseGenerator::withdrawal() {
  ImportStep w;
  w.kind = EventKind::Withdrawn;
  w.reason = pick(kWithdrawals, count(kWithdrawals));
  return w;
}

void CaseGenerator::add_history(ImportRecord& r, const Matter& m, const std::vector<std::string>& missing) {
  auto step = [](EventKind k) {
    ImportStep s;
    s.kind = k;
    return s;
  };
  if (!missing.empty()) {
    ImportStep request = step(EventKind::MaterialsRequested);
    request.materials = missing;
    if (!try_step(r, request)) return;
    std::uint64_t roll = below(10);
    if (roll == 0) return;  // still waiting for the applicant
    if (roll == 1) {
      try_step(r, withdrawal());
      return;
    }
    ImportStep supplied = step(EventKind::MaterialsSupplemented);
    supplied.materials = missing;
    if (!try_step(r, supplied)) return;
  }
  if (m.handling_kind == HandlingKind::Instant) {
    if (below(10) < 8) try_step(r, step(EventKind::Delivered));
    return;
  }
  std::uint64_t path = below(100);
  if (path < 10) return;  // accepted today, nothing more yet
  if (path < 18) {
    try_step(r, refusal("acceptance"));
    return;
  }
  if (path < 22) {
    try_step(r, withdrawal());
    return;
  }
  if (path < 30) {
    ImportStep pause = step(EventKind::ProcedurePaused);
    pause.reason = pick(kPauses, count(kPauses));
    if (try_step(r, pause)) try_step(r, step(EventKind::ProcedureResumed));
  }
  if (!try_step(r, step(EventKind::Forwarded))) return;
  if (below(10) == 0) {
    ImportStep platform = step(EventKind::PlatformNumberAssigned);
    platform.platform_case_no = "36070420" + std::to_string(100000 + below(900000));
    try_step(r, platform);
  }
  if (path < 45) return;  // with the back office
  if (path < 52) {
    try_step(r, refusal("decision"));
    return;
  }
  if (below(5) == 0 && m.legal_max_days > m.promised_days) {
    ImportStep extend = step(EventKind::Extended);
    extend.days = 1 + static_cast<int>(below(static_cast<std::uint64_t>(m.legal_max_days - m.promised_days)));
    extend.reason = pick(kExtensions, count(kExtensions));
    extend.approver = pick(kApprovers, count(kApprovers));
    try_step(r, extend);
  }
  ImportStep approve = step(EventKind::Approved);
  approve.approver = pick(kApprovers, count(kApprovers));
  if (!try_step(r, approve)) return;
  if (path < 60) return;  // approved, not yet collected
  try_step(r, step(EventKind::Delivered));
}

ImportRecord CaseGenerator::next_case() {
  const Matter& m = pick_matter();
  ImportRecord r;
  char source[48];
  std::snprintf(source, sizeof source, "GX-%04llx-%07llu", static_cast<unsigned long long>(options_.seed & 0xffff),
                static_cast<unsigned long long>(++counter_));
  r.source_id = source;
  r.applicant = next_applicant();
  r.matter_id = m.matter_id;
  std::vector<std::string> missing;
  r.materials = materials_for(m, missing);
  r.accepted_on = options_.today.plus_days(-static_cast<int>(below(static_cast<std::uint64_t>(options_.days_back) + 1)));
  r.clerk = clerk();
  r.note = pick(kNotes, count(kNotes));
  add_history(r, m, missing);
  auto checked = check_import_history(r, *catalog_, options_.today);
  // Every step was checked as it was added, so only a generator bug lands here.
  if (!checked) {
    std::fprintf(stderr, "case generator bug (seed %llu): %s\n", static_cast<unsigned long long>(options_.seed),
                 checked.status().to_string().c_str());
    std::abort();
  }
  r.status = std::string(case_state_code(checked->view.state));
  return r;
}

}  // namespace hallsync::client::testdata
