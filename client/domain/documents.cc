// What each printed document says, decided from the folded case, and its
// plain-text rendering. The HTML rendering of the same layout lives in
// documents_html.cc. Wording follows the formal style of government notices;
// personal data is masked except the applicant's name, to whom it is addressed.
#include "client/domain/documents.h"

#include <algorithm>
#include <array>

#include "client/domain/townships.h"
#include "sync/api/redact.h"

namespace hallsync::client {
namespace {

using schema::CaseEvent;
using schema::EventKind;
using Block = DocumentBlock;
using Type = DocumentBlock::Type;

struct KindName {
  DocumentKind kind;
  std::string_view code;
  std::string_view title;
};
constexpr std::array<KindName, 5> kKinds = {{
    {DocumentKind::AcceptanceNotice, "acceptance", "受理通知书"},
    {DocumentKind::OneTimeNotice, "one-time", "一次性告知书"},
    {DocumentKind::MaterialReceipt, "receipt", "材料接收清单"},
    {DocumentKind::RefusalDecision, "refusal", "不予受理（不予许可）决定书"},
    {DocumentKind::ExtensionNotice, "extension", "延期办结告知书"},
}};

CivilDate day_of(const CaseEvent& e) { return CivilDate::from_unix_ms(e.wall_ms); }

// Events of `kind` the fold applied. An event that raised a conflict stays in
// view.events but changed nothing, so a document must not quote it either.
std::vector<const CaseEvent*> applied(const CaseView& v, EventKind kind) {
  std::vector<const CaseEvent*> out;
  for (const auto& e : v.events) {
    if (e.kind != kind) continue;
    const std::string id = e.event_id();
    const bool conflicted = std::any_of(v.conflicts.begin(), v.conflicts.end(),
                                        [&](const CaseConflict& c) { return c.event_id == id; });
    if (!conflicted) out.push_back(&e);
  }
  return out;
}

std::string limit_text(int days, TimeUnit unit) { return std::to_string(days) + std::string(time_unit_label(unit)); }

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

// Clerk-typed reasons are quoted inside our sentences: drop their own final
// punctuation so "因……。，" never appears, and close them where they stand alone.
std::string clause(std::string s) {
  for (bool trimmed = true; trimmed;) {
    trimmed = false;
    for (std::string_view p : {"。", "，", "；", ".", ",", ";", " "})
      if (ends_with(s, p)) {
        s.resize(s.size() - p.size());
        trimmed = true;
      }
  }
  return s;
}
std::string sentence(const std::string& s) {
  std::string c = clause(s);
  if (c.empty() || ends_with(c, "！") || ends_with(c, "？")) return c;
  return c + "。";
}

bool refused_at_acceptance(const CaseView& v) {
  return v.state == CaseState::Refused && v.refusal_stage != "decision";
}

Status applicable(DocumentKind kind, const CaseView& v) {
  if (!v.exists()) return Status::conflict("案件不存在或尚未登记，不能出具文书");
  const std::string title(document_kind_title(kind));
  switch (kind) {
    case DocumentKind::AcceptanceNotice:
      // 受理 requires complete materials (行政许可法 art. 32): while anything is
      // missing the applicant gets the one-time notice instead.
      if (!v.materials_missing.empty()) return Status::conflict("该案件尚有待补正材料，未正式受理，不能出具受理通知书，请出具一次性告知书");
      if (refused_at_acceptance(v)) return Status::conflict("该案件已决定不予受理，不能出具受理通知书");
      return Status::ok();
    case DocumentKind::OneTimeNotice:
      if (applied(v, EventKind::MaterialsRequested).empty())
        return Status::conflict("该案件没有一次性告知补正材料的记录，不能出具一次性告知书");
      return Status::ok();
    case DocumentKind::MaterialReceipt:
      return Status::ok();
    case DocumentKind::RefusalDecision:
      if (v.state != CaseState::Refused) return Status::conflict("该案件未作出不予受理或不予许可决定，不能出具决定书");
      return Status::ok();
    case DocumentKind::ExtensionNotice:
      if (applied(v, EventKind::Extended).empty()) return Status::conflict("该案件未办理延期，不能出具延期办结告知书");
      return Status::ok();
  }
  return Status::internal("未知文书类型：" + title);
}

// Builds one document's layout; the shared parts are here, the body is added
// by the per-kind functions below.
struct Builder {
  const DocumentContext& ctx;
  const CaseView& v;
  DocumentLayout out;

  std::string matter() const { return ctx.matter ? ctx.matter->name : v.matter_id; }
  std::string applied_on() const { return v.accepted_on.chinese(); }

  void field(std::string label, std::string value) { out.blocks.push_back({Type::Field, std::move(label), std::move(value), {}}); }
  void salutation() { out.blocks.push_back({Type::Salutation, {}, v.applicant.name + "：", {}}); }
  void para(std::string text) { out.blocks.push_back({Type::Paragraph, {}, std::move(text), {}}); }
  void heading(std::string text) { out.blocks.push_back({Type::Heading, std::move(text), {}, {}}); }
  void note(std::string text) { out.blocks.push_back({Type::Note, {}, std::move(text), {}}); }
  void numbered(std::vector<std::string> items) {
    if (items.empty()) items.push_back("（无）");
    out.blocks.push_back({Type::Numbered, {}, {}, std::move(items)});
  }

  void header(std::string title) {
    out.issuer = hall_display_name(ctx.hall_code.empty() ? v.hall_code : ctx.hall_code);
    out.title = std::move(title);
    out.issued_on = ctx.issued_on;
    field("受理编号", v.acceptance_no);
    if (!v.platform_case_no.empty()) field("平台办件编号", v.platform_case_no);
    field("申请人", v.applicant.name);
    field("身份证号", mask_id_number(v.applicant.id_number));
    field("联系电话", mask_phone(v.applicant.phone));
    field("事项名称", matter());
  }

  // "自受理之日的次日起计算", after 补正 from the day the materials arrived.
  std::string count_start() const {
    const bool restarted = v.clock_start != v.accepted_on;
    std::string from = restarted ? "补齐全部材料之日（" + v.clock_start.chinese() + "）" : "受理之日";
    return ctx.count_from == CountFrom::NextDay ? "自" + from + "的次日起计算" : "自" + from + "起计算";
  }

  std::string unit_rule() const {
    if (v.promised.unit == TimeUnit::WorkingDays) return "按工作日计算，法定节假日和公休日不计算在内";
    return "按自然日计算，期间届满日为法定节假日的，以节假日后的第一个工作日为届满日";
  }

  // The due-date sentence. During a special procedure the date is unknowable;
  // otherwise a promised case's document must carry it (限时办结制).
  Result<std::string> due_sentence(std::string_view lead) const {
    if (ctx.deadline) return std::string(lead) + ctx.deadline->due.chinese() + "。";
    if (v.paused) return std::string("特别程序正在进行，所需时间不计算在办理时限内，办结日期待特别程序结束后另行书面告知。");
    return Status::validation("承诺件的" + out.title + "必须载明办结日期，请先计算该案件的办结日期");
  }

  void deadline_warnings() {
    if (!ctx.deadline) return;
    for (const auto& w : ctx.deadline->warnings) note("注：" + w);
  }
};

Status acceptance_body(Builder& b) {
  const CaseView& v = b.v;
  b.field("办件类型", std::string(handling_kind_label(v.handling_kind)));
  b.salutation();
  std::string intro = "你于" + b.applied_on() + "申请办理的“" + b.matter() + "”事项";
  if (v.clock_start != v.accepted_on) intro += "，已于" + v.clock_start.chinese() + "补齐全部材料";
  b.para(intro + "。经审查，申请材料齐全、符合法定形式，本中心决定予以受理。");
  if (v.handling_kind == HandlingKind::Instant) {
    b.para("本事项为即办件，当场办结。");
  } else {
    std::string limit = "本事项为承诺件，承诺办理时限为" + limit_text(v.promised.days, v.promised.unit);
    if (v.extension_days > 0)
      limit += "（经依法延期" + limit_text(v.extension_days, v.promised.unit) + "，现办理时限共计" +
               limit_text(v.promised.days + v.extension_days, v.promised.unit) + "）";
    limit += "，" + b.count_start() + "，" + b.unit_rule() + "。";
    HALLSYNC_ASSIGN_OR_RETURN(std::string due, b.due_sentence(v.extension_days > 0 ? "延期后的办结日期为" : "承诺办结日期为"));
    b.para(limit + due);
    b.deadline_warnings();
    b.para("依法需要听证、检验、检测、鉴定、专家评审等特别程序的，所需时间不计算在办理时限内，本中心将另行书面告知（《中华人民共和国行政许可法》第四十五条）。");
  }
  b.heading("已接收的申请材料");
  b.numbered(v.materials_received);
  b.note("本通知书一式两份，申请人与本中心各执一份。请妥善保管，凭受理编号查询办理进度。");
  return Status::ok();
}

Status one_time_body(Builder& b) {
  const CaseView& v = b.v;
  const auto requests = applied(v, EventKind::MaterialsRequested);
  const CaseEvent& first = *requests.front();
  b.out.clerk = first.clerk_id;
  b.salutation();
  b.para("你于" + b.applied_on() + "申请办理的“" + b.matter() +
         "”事项，经审查，申请材料不齐全或者不符合法定形式。根据《中华人民共和国行政许可法》第三十二条的规定和本中心一次性告知制度，现于" +
         day_of(first).chinese() + "将需要补正的全部材料一次性书面告知如下：");
  b.numbered(first.materials);
  std::string after = "请你补齐上述全部材料后一并提交本中心。材料补齐后，本中心即予受理";
  if (v.handling_kind == HandlingKind::Instant) {
    after += "并当场办结。";
  } else {
    after += "，办理时限";
    after += b.ctx.count_from == CountFrom::NextDay ? "自收到全部补正材料之日的次日起计算。" : "自收到全部补正材料之日起计算。";
  }
  b.para(after);
  if (requests.size() > 1) {
    b.heading("后续补正要求");
    for (std::size_t i = 1; i < requests.size(); ++i) {
      b.para(day_of(*requests[i]).chinese() + "另行告知需补正以下材料：");
      b.numbered(requests[i]->materials);
    }
  }
  b.note("本告知书依据一次性告知制出具，所列为需补正的全部材料。");
  return Status::ok();
}

Status receipt_body(Builder& b) {
  const CaseView& v = b.v;
  // Each material with the day it arrived: at acceptance or with a 补正.
  std::vector<std::string> items;
  for (const auto& m : v.materials_received) {
    std::string when;
    for (const auto& e : v.events) {
      if (e.kind != EventKind::Accepted && e.kind != EventKind::MaterialsSupplemented) continue;
      if (std::find(e.materials.begin(), e.materials.end(), m) == e.materials.end()) continue;
      when = day_of(e).chinese();
      b.out.clerk = e.clerk_id;  // the clerk who took in the latest materials signs
      break;
    }
    items.push_back(when.empty() ? m : m + "（" + when + "接收）");
  }
  b.para("本中心已接收你申请办理“" + b.matter() + "”事项提交的下列材料：");
  b.numbered(items);
  if (!v.materials_missing.empty()) {
    b.heading("尚需补正的材料");
    b.numbered(v.materials_missing);
    b.note("本清单仅证明本中心已接收上述材料，不代表申请已被受理；受理以本中心出具的受理通知书为准。");
  }
  return Status::ok();
}

Status refusal_body(Builder& b) {
  const CaseView& v = b.v;
  const auto refusals = applied(v, EventKind::Refused);
  if (!refusals.empty()) b.out.clerk = refusals.back()->clerk_id;
  const bool at_acceptance = refused_at_acceptance(v);
  if (!v.refusal_approver.empty()) b.field("审批负责人", v.refusal_approver);
  b.salutation();
  if (at_acceptance) {
    b.para("你于" + b.applied_on() + "申请办理的“" + b.matter() + "”事项，经审查，本中心决定不予受理。");
  } else {
    b.para("你于" + b.applied_on() + "申请办理的“" + b.matter() + "”事项，本中心已依法受理。经审查，决定不予许可。");
  }
  b.para(std::string(at_acceptance ? "不予受理" : "不予许可") + "的理由：" + sentence(v.refusal_reason));
  b.para("法律依据：" + sentence(v.refusal_basis));
  b.para("如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。");
  b.note("（依据《中华人民共和国行政复议法》有关规定和《中华人民共和国行政诉讼法》第四十六条）");
  return Status::ok();
}

Status extension_body(Builder& b) {
  const CaseView& v = b.v;
  const CaseEvent& last = *applied(v, EventKind::Extended).back();
  b.out.clerk = last.clerk_id;
  const TimeUnit unit = v.promised.unit;
  const int total = v.promised.days + v.extension_days;
  // check_transition never lets this happen; a document must not state a
  // limit the law forbids, whatever the data says.
  if (total > v.legal_max_days)
    return Status::conflict("延期后总时限" + limit_text(total, unit) + "超过法定最高时限" + limit_text(v.legal_max_days, unit) +
                            "，不能出具延期办结告知书");
  b.salutation();
  std::string text = "你于" + b.applied_on() + "申请办理的“" + b.matter() + "”事项，本中心已依法受理，原承诺办理时限为" +
                     limit_text(v.promised.days, unit) + "。因" + clause(last.reason) + "，不能在原承诺时限内办结，";
  if (!last.approver.empty()) text += "经" + last.approver + "批准，";
  text += "现于" + day_of(last).chinese() + "决定延期" + limit_text(last.days, unit) + "办结。";
  b.para(text);
  HALLSYNC_ASSIGN_OR_RETURN(std::string due, b.due_sentence("延期后的办结日期为"));
  b.para(due);
  b.deadline_warnings();
  std::string sum = v.extension_days != last.days ? "本事项累计延期" + limit_text(v.extension_days, unit) + "，" : "";
  b.para(sum + "延期后办理时限共计" + limit_text(total, unit) + "，未超过该事项法定最高办理时限" + limit_text(v.legal_max_days, unit) +
         "（《中华人民共和国行政许可法》第四十二条）。");
  return Status::ok();
}

// ---- plain text ----

// Display columns of one code point: CJK and full-width forms take two.
int columns(char32_t cp) { return cp >= 0x1100 ? 2 : 1; }

struct Token {
  std::string text;
  int width = 0;
  char32_t cp = 0;  // single non-ASCII code point, else 0
  bool space = false;
};

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == ' ') {
      out.push_back({" ", 1, 0, true});
      ++i;
    } else if (c < 0x80) {
      // An ASCII run (acceptance numbers, masked IDs) stays on one line.
      std::size_t j = i;
      while (j < s.size() && static_cast<unsigned char>(s[j]) < 0x80 && s[j] != ' ') ++j;
      out.push_back({std::string(s.substr(i, j - i)), static_cast<int>(j - i), 0, false});
      i = j;
    } else {
      std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
      len = std::min(len, s.size() - i);
      char32_t cp = len == 1 ? c : c & (0x3F >> (len - 1));
      for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
      out.push_back({std::string(s.substr(i, len)), columns(cp), cp, false});
      i += len;
    }
  }
  return out;
}

// Chinese line-breaking etiquette: closing punctuation never starts a line,
// opening punctuation never ends one.
bool no_line_start(char32_t cp) {
  return std::u32string_view(U"，。、；：？！）》」』”’…").find(cp) != std::u32string_view::npos;
}
bool no_line_end(char32_t cp) { return std::u32string_view(U"（《「『“‘").find(cp) != std::u32string_view::npos; }

std::string spaces(int n) { return std::string(static_cast<std::size_t>(std::max(0, n)), ' '); }

int text_width(std::string_view s) {
  int w = 0;
  for (const auto& t : tokenize(s)) w += t.width;
  return w;
}

// Wraps `text` to kTextWidth columns; `first` and `rest` prefix the first and
// the continuation lines (indents, list numbers).
void wrap(std::string& out, std::string_view text, const std::string& first, const std::string& rest) {
  const int rest_width = text_width(rest);
  std::string line = first;
  int width = text_width(first);
  int base = width;  // the prefix's width: a line holding only it takes any token, however long
  std::vector<std::size_t> starts;  // byte offsets of tokens on this line, for carrying an opening bracket
  auto flush = [&] {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
    line = rest;
    width = base = rest_width;
    starts.clear();
  };
  for (const auto& t : tokenize(text)) {
    if (width + t.width > kTextWidth && width > base && !(t.cp && no_line_start(t.cp))) {
      if (t.space) {
        flush();
        continue;
      }
      std::string carry;
      if (!starts.empty()) {
        const std::string last = line.substr(starts.back());
        const auto lt = tokenize(last);
        if (lt.size() == 1 && lt[0].cp && no_line_end(lt[0].cp)) {
          carry = last;
          line.resize(starts.back());
        }
      }
      flush();
      if (!carry.empty()) {
        starts.push_back(line.size());
        line += carry;
        width += 2;
      }
    }
    if (t.space && width == base) continue;  // no leading blanks on a continuation
    starts.push_back(line.size());
    line += t.text;
    width += t.width;
  }
  flush();
}

}  // namespace

std::string_view document_kind_code(DocumentKind kind) {
  for (const auto& k : kKinds)
    if (k.kind == kind) return k.code;
  return "unknown";
}

std::optional<DocumentKind> parse_document_kind(std::string_view code) {
  for (const auto& k : kKinds)
    if (k.code == code) return k.kind;
  return std::nullopt;
}

std::string_view document_kind_title(DocumentKind kind) {
  for (const auto& k : kKinds)
    if (k.kind == kind) return k.title;
  return "文书";
}

std::vector<DocumentKind> available_documents(const CaseView& view) {
  std::vector<DocumentKind> out;
  for (const auto& k : kKinds)
    if (applicable(k.kind, view).is_ok()) out.push_back(k.kind);
  return out;
}

Result<RenderedDocument> render_document(DocumentKind kind, const DocumentContext& ctx) {
  if (ctx.view == nullptr) return Status::internal("出具文书时未提供案件");
  const CaseView& v = *ctx.view;
  HALLSYNC_RETURN_IF_ERROR(applicable(kind, v));
  // A default CivilDate is 1970-01-01: a caller that forgot the date, never a real one.
  if (ctx.issued_on == CivilDate{}) return Status::validation("出具文书必须填写落款日期");

  Builder b{ctx, v, {}};
  std::string title(document_kind_title(kind));
  if (kind == DocumentKind::RefusalDecision) title = refused_at_acceptance(v) ? "不予受理决定书" : "不予许可决定书";
  b.header(title);
  b.out.clerk = v.first_clerk;
  Status body = Status::ok();
  switch (kind) {
    case DocumentKind::AcceptanceNotice: body = acceptance_body(b); break;
    case DocumentKind::OneTimeNotice: body = one_time_body(b); break;
    case DocumentKind::MaterialReceipt: body = receipt_body(b); break;
    case DocumentKind::RefusalDecision: body = refusal_body(b); break;
    case DocumentKind::ExtensionNotice: body = extension_body(b); break;
  }
  HALLSYNC_RETURN_IF_ERROR(body);
  return RenderedDocument{kind, b.out.title, layout_to_text(b.out), layout_to_html(b.out)};
}

std::string layout_to_text(const DocumentLayout& layout) {
  std::string out;
  auto centre = [&](const std::string& s) { out += spaces((kTextWidth - text_width(s)) / 2) + s + "\n"; };
  auto right = [&](const std::string& s) { out += spaces(kTextWidth - text_width(s) - 4) + s + "\n"; };
  centre(layout.issuer);
  centre(layout.title);
  out += "\n";
  Type previous = Type::Field;
  for (const auto& block : layout.blocks) {
    if (previous == Type::Field && block.type != Type::Field) out += "\n";  // fields stand apart from the body
    switch (block.type) {
      case Type::Field: {
        const std::string label = block.label + "：";
        wrap(out, block.text, label, spaces(text_width(label)));
        break;
      }
      case Type::Salutation: wrap(out, block.text, "", ""); break;
      case Type::Paragraph: wrap(out, block.text, "　　", ""); break;
      case Type::Heading:
        out += "\n";
        wrap(out, block.label + "：", "", "");
        break;
      case Type::Numbered:
        for (std::size_t i = 0; i < block.items.size(); ++i) {
          const std::string number = "  " + std::to_string(i + 1) + ". ";
          wrap(out, block.items[i], number, spaces(text_width(number)));
        }
        break;
      case Type::Note:
        if (previous == Type::Numbered) out += "\n";
        wrap(out, block.text, "", "");
        break;
    }
    previous = block.type;
  }
  out += "\n经办人：" + layout.clerk + "\n\n";
  right(layout.issuer + "（盖章）");
  right(layout.issued_on.chinese());
  out += "\n申请人签收：____________    签收日期：______年____月____日\n";
  return out;
}

}  // namespace hallsync::client
