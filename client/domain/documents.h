// The documents a hall prints and hands to the applicant (附件4 六项管理制度:
// 一次性告知制, 限时办结制; 行政许可法 arts. 32, 38, 42, 45): what each says,
// when a case may have it, and its rendering as plain text and as a standalone
// A4 HTML page. Pure functions of the case view: no clock, no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/domain/case_lifecycle.h"
#include "client/domain/civil_date.h"
#include "client/domain/deadline.h"
#include "client/domain/matter_catalog.h"
#include "sync/api/result.h"

namespace hallsync::client {

enum class DocumentKind {
  AcceptanceNotice,  // 受理通知书
  OneTimeNotice,     // 一次性告知书
  MaterialReceipt,   // 材料接收清单
  RefusalDecision,   // 不予受理决定书 / 不予许可决定书, by view.refusal_stage
  ExtensionNotice,   // 延期办结告知书
};

std::string_view document_kind_code(DocumentKind kind);  // "acceptance", "one-time", "receipt", "refusal", "extension"
std::optional<DocumentKind> parse_document_kind(std::string_view code);
// The generic title; a refusal's printed title depends on its stage.
std::string_view document_kind_title(DocumentKind kind);

struct DocumentContext {
  const CaseView* view = nullptr;
  const Matter* matter = nullptr;  // the matter under the case's catalog version (null if unknown)
  std::optional<Deadline> deadline;  // for promised cases whose clock runs (case_deadline)
  std::string hall_code;             // the issuing hall; view->hall_code when empty
  CivilDate issued_on;               // the date printed on the document
  // Must match how `deadline` was computed, so the notice states the rule that
  // produced its date (the province's rule is a setting, DOMAIN.md).
  CountFrom count_from = CountFrom::NextDay;
};

struct RenderedDocument {
  DocumentKind kind;
  std::string title;
  std::string text;  // plain text, lines of at most kTextWidth columns where possible
  std::string html;  // standalone UTF-8 HTML page for A4 printing
};

// Which documents the case can print now, in DocumentKind order:
//   受理通知书 once the case is accepted with nothing missing and not refused at acceptance;
//   一次性告知书 if materials were ever requested; 材料接收清单 always;
//   决定书 when refused; 延期办结告知书 if the case was ever extended.
std::vector<DocumentKind> available_documents(const CaseView& view);

// Status::conflict (Chinese message) when the document does not apply to the
// case; Status::validation when the context lacks something the document must
// state (e.g. a promised case's completion date).
Result<RenderedDocument> render_document(DocumentKind kind, const DocumentContext& ctx);

// --- Layout shared by the two renderers, so text and HTML cannot drift apart. ---

struct DocumentBlock {
  enum class Type {
    Field,       // label：value, e.g. 受理编号
    Salutation,  // "张三：", flush left
    Paragraph,   // body text, first line indented two characters
    Heading,     // section heading, e.g. 后续补正要求
    Numbered,    // numbered list of items
    Note,        // small print
  };
  Type type = Type::Paragraph;
  std::string label;               // Field label, Heading text
  std::string text;                // Field value, Paragraph / Salutation / Note text
  std::vector<std::string> items;  // Numbered
};

struct DocumentLayout {
  std::string issuer;  // hall_display_name: also the seal line
  std::string title;
  std::vector<DocumentBlock> blocks;
  std::string clerk;      // 经办人
  CivilDate issued_on;
};

// About 40 CJK characters (2 columns each) per plain-text line.
constexpr int kTextWidth = 80;

std::string layout_to_text(const DocumentLayout& layout);
std::string layout_to_html(const DocumentLayout& layout);

// Escapes & < > " ' for text and attribute positions alike.
std::string html_escape(std::string_view text);

}  // namespace hallsync::client
