// Entry checks for names, phone numbers and free text. Text is decoded to code
// points first because limits are what a clerk sees (characters), not bytes:
// one Chinese character is three bytes.
#include "client/domain/text_rules.h"

#include <vector>

#include "sync/api/utf8.h"

namespace hallsync::client {
namespace {

bool decode(std::string_view s, std::vector<char32_t>& out) {
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    std::size_t n = utf8_decode_at(s, i, cp);
    if (n == 0) return false;
    out.push_back(cp);
    i += n;
  }
  return true;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string encode(const std::vector<char32_t>& cps) {
  std::string out;
  for (char32_t cp : cps) append_utf8(out, cp);
  return out;
}

// U+3000 counts as space: a Chinese IME in full-width mode types it.
bool is_space_cp(char32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x3000; }
bool is_control(char32_t c) { return c < 0x20 || (c >= 0x7F && c <= 0x9F); }
bool is_ascii_digit(char32_t c) { return c >= '0' && c <= '9'; }
bool is_fullwidth_digit(char32_t c) { return c >= 0xFF10 && c <= 0xFF19; }

// CJK ideographs (basic, extension A, B–G, compatibility) and 〇, which
// appears in given names.
bool is_chinese(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x3134F) || (c >= 0xF900 && c <= 0xFAFF) || c == 0x3007;
}

// Latin letters including accented ones (foreign applicants), minus × and ÷.
bool is_letter(char32_t c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7);
}

constexpr char32_t kMiddleDot = 0xB7;

// Dots an IME or a copied document may produce instead of U+00B7.
bool is_dot_lookalike(char32_t c) { return c == 0x2022 || c == 0x2027 || c == 0x30FB || c == 0xFF65; }

void trim(std::vector<char32_t>& cps) {
  std::size_t b = 0, e = cps.size();
  while (b < e && is_space_cp(cps[b])) ++b;
  while (e > b && is_space_cp(cps[e - 1])) --e;
  cps = std::vector<char32_t>(cps.begin() + static_cast<std::ptrdiff_t>(b),
                              cps.begin() + static_cast<std::ptrdiff_t>(e));
}

std::string bad_encoding(std::string_view label) {
  return std::string(label) + "包含无效的字符编码（不是有效的UTF-8）";
}

constexpr std::size_t kMaxNameLength = 30;

}  // namespace

bool is_valid_utf8(std::string_view s) { return hallsync::is_valid_utf8(s); }

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

Result<std::string> validate_person_name(std::string_view name) {
  std::vector<char32_t> raw;
  if (!decode(name, raw)) return Status::validation(bad_encoding("姓名"));
  trim(raw);
  if (raw.empty()) return Status::validation("姓名不能为空");

  std::vector<char32_t> cps;
  bool has_chinese = false, has_space = false;
  for (char32_t c : raw) {
    if (is_control(c)) return Status::validation("姓名不能包含控制字符（如换行、制表符）");
    if (is_ascii_digit(c) || is_fullwidth_digit(c)) return Status::validation("姓名不能包含数字");
    if (is_dot_lookalike(c)) c = kMiddleDot;
    if (c == ' ' || c == 0x3000) {
      has_space = true;
      // A doubled space is a typo, not part of the name.
      if (!cps.empty() && cps.back() == ' ') continue;
      c = ' ';
    } else if (is_chinese(c)) {
      has_chinese = true;
    } else if (!is_letter(c) && c != kMiddleDot) {
      std::string shown;
      append_utf8(shown, c);
      return Status::validation("姓名包含不允许的字符“" + shown + "”");
    }
    cps.push_back(c);
  }
  if (has_chinese && has_space) return Status::validation("中文姓名中不能有空格");
  for (std::size_t i = 0; i < cps.size(); ++i) {
    if (cps[i] != kMiddleDot) continue;
    bool edge = i == 0 || i + 1 == cps.size();
    if (edge || cps[i - 1] == kMiddleDot || cps[i - 1] == ' ' || cps[i + 1] == ' ') {
      return Status::validation("姓名中的间隔号“·”位置不正确");
    }
  }
  if (cps.size() > kMaxNameLength) {
    return Status::validation("姓名过长（最多30个字），当前为" + std::to_string(cps.size()) + "个字");
  }
  return encode(cps);
}

Result<std::string> validate_phone(std::string_view phone) {
  const Status bad = Status::validation("联系电话格式不正确：请填写11位手机号或带区号的固定电话");
  std::string digits;
  bool plus = false, any = false;
  for (char c : phone) {
    if (c == ' ' || c == '\t' || c == '-') continue;
    if (c == '+' && !any && !plus) { plus = true; continue; }
    if (c < '0' || c > '9') return bad;
    digits += c;
    any = true;
  }
  if (!plus && digits.empty()) return Status::validation("联系电话不能为空");

  auto is_mobile = [](std::string_view d) {
    return d.size() == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9';
  };
  if (digits.size() == 13 && digits.compare(0, 2, "86") == 0 && is_mobile(std::string_view(digits).substr(2))) {
    digits.erase(0, 2);
  }
  if (is_mobile(digits)) return digits;
  // A country code is accepted only before a mobile: foreign numbers and
  // "+86 797 ..." landline forms are out of scope.
  if (plus) return bad;

  // Landline: area codes starting 01/02 have 3 digits (010, 020–029), all
  // others 4, so the split is unambiguous even without a hyphen.
  if (digits.size() >= 3 && digits[0] == '0' && digits[1] != '0') {
    std::size_t area = (digits[1] == '1' || digits[1] == '2') ? 3 : 4;
    std::size_t local = digits.size() > area ? digits.size() - area : 0;
    if (local >= 7 && local <= 8 && digits[area] != '0' && digits[area] != '1') return digits;
  }
  return bad;
}

Result<std::string> validate_free_text(std::string_view text, std::string_view field_label,
                                       std::size_t max_code_points, bool required) {
  std::vector<char32_t> raw;
  if (!decode(text, raw)) return Status::validation(bad_encoding(field_label));
  const std::string label(field_label);

  // Text pasted from Windows documents carries CRLF; it means a line break.
  std::vector<char32_t> cps;
  cps.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char32_t c = raw[i];
    if (c == '\r') {
      cps.push_back('\n');
      if (i + 1 < raw.size() && raw[i + 1] == '\n') ++i;
      continue;
    }
    if (is_control(c) && c != '\n' && c != '\t') {
      return Status::validation(label + "包含不允许的控制字符");
    }
    cps.push_back(c);
  }
  if (required) {
    bool blank = true;
    for (char32_t c : cps) blank = blank && is_space_cp(c);
    if (blank) return Status::validation(label + "不能为空");
  }
  if (cps.size() > max_code_points) {
    return Status::validation(label + "过长（最多" + std::to_string(max_code_points) + "个字），当前为" +
                              std::to_string(cps.size()) + "个字");
  }
  return encode(cps);
}

}  // namespace hallsync::client
