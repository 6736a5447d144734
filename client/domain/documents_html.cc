// The print-ready HTML rendering of a document layout: one standalone UTF-8
// page for A4, inline CSS only, because halls print offline and may have no
// network for fonts or scripts. Every value from the case is escaped: names
// and reasons are typed by people and must never become markup.
#include <string>

#include "client/domain/documents.h"

namespace hallsync::client {
namespace {

using Type = DocumentBlock::Type;

// Local CJK fonts only; the title prefers the 小标宋 face official documents use.
constexpr std::string_view kStyle = R"css(
@page { size: A4; margin: 20mm; }
html { background: #fff; }
body {
  font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", "Source Han Serif SC", "SimSun", "Songti SC", serif;
  font-size: 12pt; line-height: 1.8; color: #000;
  max-width: 170mm; margin: 0 auto;
}
@media screen { body { padding: 20mm 0; } }
.issuer { text-align: center; font-size: 16pt; letter-spacing: 0.1em; margin: 0; }
h1 {
  text-align: center; font-size: 22pt; font-weight: bold; letter-spacing: 0.3em; margin: 2mm 0 6mm;
  font-family: "FZXiaoBiaoSong-B05S", "方正小标宋简体", "Noto Serif CJK SC", "SimSun", serif;
}
table.fields { border-collapse: collapse; margin: 0 0 4mm; }
table.fields th { text-align: left; font-weight: normal; white-space: nowrap; padding: 0 1em 0 0; vertical-align: top; }
table.fields td { padding: 0; word-break: break-all; }
p { margin: 0; }
p.body { text-indent: 2em; }
p.note { font-size: 10.5pt; }
h2 { font-size: 12pt; font-weight: bold; margin: 3mm 0 0; }
ol { margin: 0; padding-left: 3em; }
.clerk { margin-top: 6mm; }
.seal { text-align: right; margin-top: 12mm; padding-right: 2em; }
.receipt { margin-top: 12mm; border-top: 1px dashed #000; padding-top: 3mm; }
.blank { display: inline-block; width: 12em; border-bottom: 1px solid #000; }
/* Printed: a notice with its tear-off receipt fits one A4 sheet (at 1.8 the
   receipt of an acceptance notice fell onto a second page in Chromium). */
@media print {
  body { line-height: 1.6; }
  .seal { margin-top: 8mm; }
  .receipt { margin-top: 6mm; page-break-inside: avoid; }
}
)css";

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string layout_to_html(const DocumentLayout& layout) {
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<title>" + html_escape(layout.title) + "</title>\n<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
  h += "<p class=\"issuer\">" + html_escape(layout.issuer) + "</p>\n";
  h += "<h1>" + html_escape(layout.title) + "</h1>\n";
  bool in_table = false;
  for (const auto& block : layout.blocks) {
    // Consecutive fields share one table so their values line up.
    if (in_table && block.type != Type::Field) {
      h += "</table>\n";
      in_table = false;
    }
    switch (block.type) {
      case Type::Field:
        if (!in_table) {
          h += "<table class=\"fields\">\n";
          in_table = true;
        }
        h += "<tr><th>" + html_escape(block.label) + "：</th><td>" + html_escape(block.text) + "</td></tr>\n";
        break;
      case Type::Salutation: h += "<p class=\"salutation\">" + html_escape(block.text) + "</p>\n"; break;
      case Type::Paragraph: h += "<p class=\"body\">" + html_escape(block.text) + "</p>\n"; break;
      case Type::Heading: h += "<h2>" + html_escape(block.label) + "：</h2>\n"; break;
      case Type::Numbered:
        h += "<ol>\n";
        for (const auto& item : block.items) h += "<li>" + html_escape(item) + "</li>\n";
        h += "</ol>\n";
        break;
      case Type::Note: h += "<p class=\"note\">" + html_escape(block.text) + "</p>\n"; break;
    }
  }
  if (in_table) h += "</table>\n";
  h += "<p class=\"clerk\">经办人：" + html_escape(layout.clerk) + "</p>\n";
  h += "<div class=\"seal\"><p>" + html_escape(layout.issuer) + "（盖章）</p><p>" + html_escape(layout.issued_on.chinese()) +
       "</p></div>\n";
  h += "<p class=\"receipt\">申请人签收：<span class=\"blank\"></span>"
       "　签收日期：　　　　年　　月　　日</p>\n";
  h += "</body>\n</html>\n";
  return h;
}

}  // namespace hallsync::client
