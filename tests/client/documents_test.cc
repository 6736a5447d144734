// The printed documents: what each must say (policy and 行政许可法), when a
// case may have it, masking of personal data, and HTML escaping.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "client/domain/case_lifecycle.h"
#include "client/domain/documents.h"
#include "client/domain/townships.h"
#include "client/domain/work_calendar.h"
#include "sync/api/redact.h"

using namespace hallsync;
using namespace hallsync::client;
using schema::CaseEvent;
using schema::EventKind;

namespace {

// 2026-09-18 10:00 +08:00 (a Friday); the other instants are China time too.
constexpr std::int64_t kSep18 = 1789696800000;
constexpr std::int64_t kSep21 = 1789952400000;  // 09:00
constexpr std::int64_t kSep24 = 1790233200000;  // 15:00
constexpr std::int64_t kOct15 = 1792033200000;  // 11:00

const std::string kId = "360721198001011237";  // valid GB 11643 check character
const std::string kPhone = "13800001234";

struct Events {
  std::string device = "360704100-W01";
  std::int64_t seq = 0;
  std::uint64_t hlc = static_cast<std::uint64_t>(kSep18) << 16;
  std::vector<CaseEvent> list;

  CaseEvent& add(EventKind kind, std::int64_t wall_ms, std::string clerk = "c001") {
    CaseEvent e;
    e.case_id = "case-1";
    e.device_id = device;
    e.origin_seq = ++seq;
    e.hlc = std::max(++hlc, static_cast<std::uint64_t>(wall_ms) << 16);
    hlc = e.hlc;
    e.wall_ms = wall_ms;
    e.clerk_id = std::move(clerk);
    e.kind = kind;
    list.push_back(e);
    return list.back();
  }

  CaseEvent& accept(std::string handling = "promised", std::vector<std::string> materials = {"申请表", "身份证复印件"}) {
    CaseEvent& e = add(EventKind::Accepted, kSep18);
    e.acceptance_no = "360704100-W01-20260918-000001";
    e.hall_code = "360704100";
    e.matter_id = "GX-008";
    e.catalog_version = "test";
    e.applicant = {"张三", kId, kPhone};
    e.handling_kind = std::move(handling);
    e.days = e.handling_kind == "instant" ? 0 : 20;
    e.legal_max_days = 30;
    e.time_unit = "working";
    e.materials = std::move(materials);
    return e;
  }

  CaseView view() const { return fold_case(list); }
};

Matter low_income_matter() {
  Matter m;
  m.seq_no = 8;
  m.matter_id = "GX-008";
  m.department = "民政局";
  m.matter_type = "行政确认";
  m.name = "城市低保申请审核";
  m.promised_days = 20;
  m.legal_max_days = 30;
  return m;
}

DocumentContext context(const CaseView& v, const Matter* m, std::optional<Deadline> deadline = std::nullopt) {
  DocumentContext ctx;
  ctx.view = &v;
  ctx.matter = m;
  ctx.deadline = std::move(deadline);
  ctx.hall_code = v.hall_code;
  ctx.issued_on = CivilDate::from_ymd(2026, 9, 20);
  return ctx;
}

RenderedDocument render_ok(DocumentKind kind, const DocumentContext& ctx) {
  auto doc = render_document(kind, ctx);
  INFO(doc.status().to_string());
  REQUIRE(doc.is_ok());
  return std::move(doc).value();
}

// Plain text is wrapped, so a phrase may straddle lines: search the text with
// each line break and the indent after it taken out.
std::string unwrapped(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n') {
      out += text[i];
      continue;
    }
    while (i + 1 < text.size() && text[i + 1] == ' ') ++i;
  }
  return out;
}

bool has(const std::string& haystack, const std::string& needle) {
  return unwrapped(haystack).find(needle) != std::string::npos;
}

// Display columns of the widest line: CJK counts two, ASCII one.
int widest_line(const std::string& text) {
  int widest = 0, width = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      widest = std::max(widest, width);
      width = 0;
    } else if (c < 0x80) {
      width += 1;
    } else if (c >= 0xC0) {
      width += c >= 0xE0 ? 2 : 1;  // 3- and 4-byte sequences here are all wide
    }
  }
  return std::max(widest, width);
}

// Every document a case offers must render, mask personal data and stay printable.
void check_common(const RenderedDocument& doc, const CaseView& v) {
  for (const std::string* body : {&doc.text, &doc.html}) {
    CHECK(has(*body, doc.title));
    CHECK(has(*body, v.acceptance_no));
    CHECK(has(*body, mask_id_number(kId)));
    CHECK(has(*body, mask_phone(kPhone)));
    CHECK_FALSE(has(*body, kId));
    CHECK_FALSE(has(*body, kPhone));
    CHECK_FALSE(contains_clear_pii(*body));
    CHECK(has(*body, "梅林镇综合便民服务中心（盖章）"));
    CHECK(has(*body, "2026年9月20日"));
    CHECK(has(*body, "经办人"));
  }
  CHECK_FALSE(has(doc.text, "<"));
  CHECK(widest_line(doc.text) <= kTextWidth + 2);  // hanging punctuation may overhang by one character
}

}  // namespace

TEST_CASE("document kind codes round-trip", "[documents]") {
  for (auto kind : {DocumentKind::AcceptanceNotice, DocumentKind::OneTimeNotice, DocumentKind::MaterialReceipt,
                    DocumentKind::RefusalDecision, DocumentKind::ExtensionNotice}) {
    auto parsed = parse_document_kind(document_kind_code(kind));
    REQUIRE(parsed);
    CHECK(*parsed == kind);
    CHECK_FALSE(document_kind_title(kind).empty());
  }
  CHECK(document_kind_code(DocumentKind::OneTimeNotice) == "one-time");
  CHECK(document_kind_title(DocumentKind::AcceptanceNotice) == "受理通知书");
  CHECK_FALSE(parse_document_kind("notice"));
}

TEST_CASE("township codes map to names, 9- and 12-digit", "[documents]") {
  CHECK(township_name("360704100") == "梅林镇");
  CHECK(township_name("360704100000") == "梅林镇");
  CHECK(township_name("360704101") == "王母渡镇");
  CHECK(township_name("360704111") == "韩坊镇");
  CHECK(township_name("360704201") == "阳埠乡");
  CHECK(township_name("360704207000") == "石芫乡");
  CHECK(township_name("360704209") == "白鹭乡");
  CHECK(township_name("360704400") == "江西赣县经济开发区");
  CHECK(township_name("360704205").empty());     // no such township
  CHECK(township_name("360704100001").empty());  // a village, not the township hall
  CHECK(township_name("").empty());
  CHECK(hall_display_name("360704100") == "梅林镇综合便民服务中心");
  CHECK(hall_display_name("360704209000") == "白鹭乡综合便民服务中心");
  CHECK(hall_display_name("360704400") == "江西赣县经济开发区综合便民服务中心");
  CHECK(hall_display_name("360704999") == "乡镇综合便民服务中心（360704999）");
}

TEST_CASE("acceptance notice of a promised case states the due date and masks personal data", "[documents]") {
  Events ev;
  ev.accept();
  ev.add(EventKind::PlatformNumberAssigned, kSep18).platform_case_no = "GX2026000001";
  const CaseView v = ev.view();
  const Matter m = low_income_matter();
  auto deadline = case_deadline(v, WorkCalendar::builtin());
  REQUIRE(deadline);
  REQUIRE(deadline->due == CivilDate::from_ymd(2026, 10, 22));  // 20 working days over Mid-Autumn and National Day

  const auto doc = render_ok(DocumentKind::AcceptanceNotice, context(v, &m, deadline));
  check_common(doc, v);
  CHECK(doc.title == "受理通知书");
  for (const std::string* body : {&doc.text, &doc.html}) {
    CHECK(has(*body, "2026年10月22日"));
    CHECK(has(*body, "20个工作日"));
    CHECK(has(*body, "次日起计算"));
    CHECK(has(*body, "法定节假日"));
    CHECK(has(*body, "第四十五条"));
    CHECK(has(*body, "GX2026000001"));
    CHECK(has(*body, "城市低保申请审核"));
    CHECK(has(*body, "张三"));
    CHECK(has(*body, "申请表"));
    CHECK(has(*body, "身份证复印件"));
  }
  CHECK(has(doc.text, "经办人：c001"));
}

TEST_CASE("acceptance notice carries deadline warnings and falls back to the matter id", "[documents]") {
  Events ev;
  ev.accept();
  const CaseView v = ev.view();
  Deadline d{CivilDate::from_ymd(2027, 1, 15), true, {"2027年节假日安排尚未公布，仅按周末计算"}};
  const auto doc = render_ok(DocumentKind::AcceptanceNotice, context(v, nullptr, d));
  CHECK(has(doc.text, "2027年1月15日"));
  CHECK(has(doc.text, "2027年节假日安排尚未公布，仅按周末计算"));
  CHECK(has(doc.html, "2027年节假日安排尚未公布，仅按周末计算"));
  CHECK(has(doc.text, "GX-008"));
  CHECK_FALSE(has(doc.text, "平台办件编号"));  // not assigned yet
}

TEST_CASE("a promised acceptance notice without a due date is refused", "[documents]") {
  Events ev;
  ev.accept();
  const CaseView v = ev.view();
  auto doc = render_document(DocumentKind::AcceptanceNotice, context(v, nullptr));
  REQUIRE_FALSE(doc.is_ok());
  CHECK(doc.status().kind() == ErrorKind::Validation);
}

TEST_CASE("acceptance notice of an instant case says it is done on the spot", "[documents]") {
  Events ev;
  ev.accept("instant");
  const CaseView v = ev.view();
  const auto doc = render_ok(DocumentKind::AcceptanceNotice, context(v, nullptr));
  check_common(doc, v);
  CHECK(has(doc.text, "即办件，当场办结"));
  CHECK(has(doc.html, "即办件，当场办结"));
  CHECK_FALSE(has(doc.text, "承诺办结日期"));
}

TEST_CASE("one-time notice lists every missing material, and later requests apart", "[documents]") {
  Events ev;
  ev.accept();
  ev.add(EventKind::MaterialsRequested, kSep18).materials = {"收入状况证明", "居民户口簿", "家庭成员身份证复印件"};
  const Matter m = low_income_matter();

  SECTION("first request only") {
    const CaseView v = ev.view();
    CHECK(available_documents(v) == std::vector<DocumentKind>{DocumentKind::OneTimeNotice, DocumentKind::MaterialReceipt});
    const auto doc = render_ok(DocumentKind::OneTimeNotice, context(v, &m));
    check_common(doc, v);
    CHECK(doc.title == "一次性告知书");
    CHECK(has(doc.text, "1. 收入状况证明"));
    CHECK(has(doc.text, "2. 居民户口簿"));
    CHECK(has(doc.text, "3. 家庭成员身份证复印件"));
    CHECK(has(doc.html, "<li>家庭成员身份证复印件</li>"));
    for (const std::string* body : {&doc.text, &doc.html}) {
      CHECK(has(*body, "一次性"));
      CHECK(has(*body, "《中华人民共和国行政许可法》第三十二条"));
      CHECK(has(*body, "即予受理"));
      CHECK(has(*body, "自收到全部补正材料之日的次日起计算"));
    }
    CHECK_FALSE(has(doc.text, "后续补正要求"));

    auto acceptance = render_document(DocumentKind::AcceptanceNotice, context(v, &m));
    REQUIRE_FALSE(acceptance.is_ok());
    CHECK(acceptance.status().kind() == ErrorKind::Conflict);
  }

  SECTION("a later request is listed separately with its date") {
    ev.add(EventKind::MaterialsRequested, kSep21, "c002").materials = {"村（居）委会出具的家庭情况证明"};
    const CaseView v = ev.view();
    const auto doc = render_ok(DocumentKind::OneTimeNotice, context(v, &m));
    CHECK(has(doc.text, "1. 收入状况证明"));
    CHECK(has(doc.text, "后续补正要求"));
    CHECK(has(doc.text, "2026年9月21日"));
    CHECK(has(doc.text, "村（居）委会出具的家庭情况证明"));
    CHECK(has(doc.text, "经办人：c001"));  // the notice is the first request's
    const auto first_section = doc.text.substr(0, doc.text.find("后续补正要求"));
    CHECK_FALSE(has(first_section, "家庭情况证明"));
  }
}

TEST_CASE("material receipt numbers what was received, with dates, and what is missing", "[documents]") {
  Events ev;
  ev.accept();
  ev.add(EventKind::MaterialsRequested, kSep18).materials = {"收入状况证明", "居民户口簿"};
  ev.add(EventKind::MaterialsSupplemented, kSep21, "c002").materials = {"居民户口簿"};

  SECTION("partly supplemented") {
    const CaseView v = ev.view();
    const auto doc = render_ok(DocumentKind::MaterialReceipt, context(v, nullptr));
    check_common(doc, v);
    CHECK(has(doc.text, "1. 申请表（2026年9月18日接收）"));
    CHECK(has(doc.text, "2. 身份证复印件（2026年9月18日接收）"));
    CHECK(has(doc.text, "3. 居民户口簿（2026年9月21日接收）"));
    CHECK(has(doc.text, "尚需补正的材料"));
    CHECK(has(doc.text, "1. 收入状况证明"));
    CHECK(has(doc.text, "不代表申请已被受理"));
  }

  SECTION("complete: receipt has nothing missing and the acceptance notice restarts the clock") {
    ev.add(EventKind::MaterialsSupplemented, kSep24, "c002").materials = {"收入状况证明"};
    const CaseView v = ev.view();
    const auto doc = render_ok(DocumentKind::MaterialReceipt, context(v, nullptr));
    CHECK(has(doc.text, "4. 收入状况证明（2026年9月24日接收）"));
    CHECK_FALSE(has(doc.text, "尚需补正"));

    CHECK(available_documents(v) ==
          std::vector<DocumentKind>{DocumentKind::AcceptanceNotice, DocumentKind::OneTimeNotice, DocumentKind::MaterialReceipt});
    auto deadline = case_deadline(v, WorkCalendar::builtin());
    REQUIRE(deadline);
    const auto notice = render_ok(DocumentKind::AcceptanceNotice, context(v, nullptr, deadline));
    CHECK(has(notice.text, "补齐全部材料之日（2026年9月24日）的次日起计算"));
    CHECK(has(notice.text, deadline->due.chinese()));
  }
}

TEST_CASE("refusal decision gives reason, basis and the rights of review and lawsuit", "[documents]") {
  Events ev;
  ev.accept();

  SECTION("不予许可 after acceptance") {
    ev.add(EventKind::Forwarded, kSep21).department = "区民政局";
    CaseEvent& r = ev.add(EventKind::Refused, kOct15, "c003");
    r.stage = "decision";
    r.reason = "家庭人均收入超过当地城市低保标准";
    r.legal_basis = "《社会救助暂行办法》第九条";
    r.approver = "李主任";
    const CaseView v = ev.view();
    CHECK(available_documents(v) ==
          std::vector<DocumentKind>{DocumentKind::AcceptanceNotice, DocumentKind::MaterialReceipt, DocumentKind::RefusalDecision});
    const auto doc = render_ok(DocumentKind::RefusalDecision, context(v, nullptr));
    check_common(doc, v);
    CHECK(doc.title == "不予许可决定书");
    for (const std::string* body : {&doc.text, &doc.html}) {
      CHECK(has(*body, "不予许可决定书"));
      CHECK(has(*body, "家庭人均收入超过当地城市低保标准"));
      CHECK(has(*body, "《社会救助暂行办法》第九条"));
      CHECK(has(*body, "李主任"));
      CHECK(has(*body, "六十日内依法申请行政复议"));
      CHECK(has(*body, "六个月内依法向人民法院提起行政诉讼"));
      CHECK(has(*body, "行政诉讼法》第四十六条"));
    }
    CHECK(has(doc.text, "经办人：c003"));
  }

  SECTION("不予受理 at acceptance: no acceptance notice") {
    CaseEvent& r = ev.add(EventKind::Refused, kSep18);
    r.stage = "acceptance";
    r.reason = "申请人户籍不在本乡镇";
    r.legal_basis = "《中华人民共和国行政许可法》第三十二条第一款第（二）项";
    const CaseView v = ev.view();
    CHECK(available_documents(v) == std::vector<DocumentKind>{DocumentKind::MaterialReceipt, DocumentKind::RefusalDecision});
    const auto doc = render_ok(DocumentKind::RefusalDecision, context(v, nullptr));
    CHECK(doc.title == "不予受理决定书");
    CHECK(has(doc.text, "不予受理决定书"));
    CHECK_FALSE(has(doc.text, "不予许可"));
    CHECK(has(doc.text, "申请人户籍不在本乡镇"));
    CHECK(has(doc.text, "行政复议"));
    CHECK(has(doc.text, "行政诉讼"));
    CHECK(render_document(DocumentKind::AcceptanceNotice, context(v, nullptr)).status().kind() == ErrorKind::Conflict);
  }
}

TEST_CASE("extension notice gives the reason, the new date and the legal maximum", "[documents]") {
  Events ev;
  ev.accept();
  ev.add(EventKind::Forwarded, kSep21).department = "区民政局";
  CaseEvent& x = ev.add(EventKind::Extended, kOct15, "c004");
  x.days = 10;
  x.reason = "需入户核查家庭经济状况";
  x.approver = "王主任";
  const CaseView v = ev.view();
  auto deadline = case_deadline(v, WorkCalendar::builtin());
  REQUIRE(deadline);
  REQUIRE(deadline->due == CivilDate::from_ymd(2026, 11, 5));

  const auto doc = render_ok(DocumentKind::ExtensionNotice, context(v, nullptr, deadline));
  check_common(doc, v);
  CHECK(doc.title == "延期办结告知书");
  for (const std::string* body : {&doc.text, &doc.html}) {
    CHECK(has(*body, "需入户核查家庭经济状况"));
    CHECK(has(*body, "2026年11月5日"));
    CHECK(has(*body, "延期10个工作日"));
    CHECK(has(*body, "王主任"));
    CHECK(has(*body, "共计30个工作日"));
    CHECK(has(*body, "未超过该事项法定最高办理时限30个工作日"));
  }
  CHECK(has(doc.text, "经办人：c004"));

  // The acceptance notice reprinted later tells the truth about the extension.
  const auto notice = render_ok(DocumentKind::AcceptanceNotice, context(v, nullptr, deadline));
  CHECK(has(notice.text, "经依法延期10个工作日"));
}

TEST_CASE("documents that do not apply are a conflict", "[documents]") {
  Events ev;
  ev.accept();
  const CaseView v = ev.view();
  CHECK(available_documents(v) == std::vector<DocumentKind>{DocumentKind::AcceptanceNotice, DocumentKind::MaterialReceipt});
  for (auto kind : {DocumentKind::ExtensionNotice, DocumentKind::RefusalDecision, DocumentKind::OneTimeNotice}) {
    auto doc = render_document(kind, context(v, nullptr));
    REQUIRE_FALSE(doc.is_ok());
    CHECK(doc.status().kind() == ErrorKind::Conflict);
    CHECK_FALSE(doc.status().message().empty());
  }
  CHECK(has(render_document(DocumentKind::ExtensionNotice, context(v, nullptr)).status().message(), "未办理延期"));

  CHECK(available_documents(CaseView{}).empty());
  DocumentContext none;
  CHECK_FALSE(render_document(DocumentKind::MaterialReceipt, none).is_ok());
  DocumentContext undated = context(v, nullptr);
  undated.issued_on = CivilDate{};
  CHECK(render_document(DocumentKind::MaterialReceipt, undated).status().kind() == ErrorKind::Validation);
}

TEST_CASE("an extension that lost a merge conflict is not printed", "[documents]") {
  Events ev;
  ev.accept();
  CaseEvent& r = ev.add(EventKind::Refused, kOct15);
  r.stage = "decision";
  r.reason = "不符合条件";
  r.legal_basis = "《社会救助暂行办法》第九条";
  // Another window extended the case concurrently; it folds after the refusal.
  ev.device = "360704100-W02";
  ev.seq = 0;
  CaseEvent& x = ev.add(EventKind::Extended, kOct15);
  x.days = 5;
  x.reason = "需补充调查";
  const CaseView v = ev.view();
  REQUIRE(v.open_conflicts() == 1);
  CHECK(render_document(DocumentKind::ExtensionNotice, context(v, nullptr)).status().kind() == ErrorKind::Conflict);
}

TEST_CASE("html_escape escapes the five special characters", "[documents]") {
  CHECK(html_escape("<a href=\"x\">Tom & 'Jerry'</a>") ==
        "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
  CHECK(html_escape("张三") == "张三");
  CHECK(html_escape("&amp;") == "&amp;amp;");
}

TEST_CASE("html is a standalone A4 page and escapes hostile input", "[documents]") {
  Events ev;
  CaseEvent& a = ev.accept();
  a.applicant.name = "<script>alert(1)</script>";
  a.materials = {"\"><img src=x onerror=alert('x')>"};
  CaseEvent& r = ev.add(EventKind::Refused, kSep21);
  r.stage = "decision";
  r.reason = "收入 > 标准 & 'x'";
  r.legal_basis = "<b>第九条</b>";
  const CaseView v = ev.view();
  Matter m = low_income_matter();
  m.name = "事项<i>名称</i>";

  for (auto kind : {DocumentKind::RefusalDecision, DocumentKind::MaterialReceipt}) {
    const auto doc = render_ok(kind, context(v, &m));
    const std::string& html = doc.html;
    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(has(html, "<meta charset=\"utf-8\">"));
    CHECK(has(html, "@page { size: A4; margin: 20mm; }"));
    CHECK(has(html, "\"Noto Serif CJK SC\""));
    CHECK(has(html, "text-align: center"));
    CHECK(has(html, "</html>"));
    CHECK_FALSE(has(html, "http"));  // no CDN, fonts or scripts from the network
    CHECK_FALSE(has(html, "<script"));
    CHECK_FALSE(has(html, "<img"));
    CHECK_FALSE(has(html, "<i>"));
    CHECK(has(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    CHECK(has(html, "事项&lt;i&gt;名称&lt;/i&gt;"));
    if (kind == DocumentKind::RefusalDecision) {
      CHECK(has(html, "收入 &gt; 标准 &amp; &#39;x&#39;"));
      CHECK(has(html, "&lt;b&gt;第九条&lt;/b&gt;"));
    } else {
      CHECK(has(html, "&quot;&gt;&lt;img src=x onerror=alert(&#39;x&#39;)&gt;"));
    }
    // The plain text is not markup: it carries the name as typed.
    CHECK(has(doc.text, "<script>alert(1)</script>"));
  }
}

TEST_CASE("plain text wraps long content within the line width", "[documents]") {
  Events ev;
  ev.accept();
  CaseEvent& r = ev.add(EventKind::Refused, kSep21);
  r.stage = "acceptance";
  r.reason = std::string("经入户调查和信息核对，") +
             "申请人家庭共同生活成员的人均月收入高于本地城乡居民最低生活保障标准，且家庭拥有机动车辆一辆，"
             "不符合《江西省城乡居民最低生活保障办法》规定的申请条件（ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789）。";
  r.legal_basis = "《社会救助暂行办法》第九条";
  const CaseView v = ev.view();
  const auto doc = render_ok(DocumentKind::RefusalDecision, context(v, nullptr));
  CHECK(widest_line(doc.text) <= kTextWidth + 2);
  CHECK(doc.text.find("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != std::string::npos);  // ASCII runs are not split
  // No line starts with closing punctuation.
  std::size_t pos = 0;
  while ((pos = doc.text.find('\n', pos)) != std::string::npos) {
    ++pos;
    for (const char* p : {"，", "。", "、", "）", "》"}) CHECK(doc.text.compare(pos, std::string(p).size(), p) != 0);
  }
}
