// Parsing and checking of GB 11643-1999 resident ID numbers. Checks run from
// the coarsest to the finest so the clerk is told the first thing to fix:
// a wrong length makes a check-character complaint meaningless.
#include "client/domain/resident_id.h"

#include <array>

namespace hallsync::client {
namespace {

constexpr std::array<int, 17> kWeights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
constexpr std::string_view kCheckChars = "10X98765432";

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Byte length of the UTF-8 sequence starting with `lead`; 1 for anything odd,
// so counting never stalls on bad input.
std::size_t seq_len(unsigned char lead) {
  if (lead >= 0xF0 && lead <= 0xF7) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

// Clerks see characters, not bytes: "当前为17位" must count what they typed,
// even if they typed a full-width digit with the IME on.
std::size_t char_count(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); i += seq_len(static_cast<unsigned char>(s[i]))) ++n;
  return n;
}

bool is_province(int code) {
  return (code >= 11 && code <= 15) || (code >= 21 && code <= 23) || (code >= 31 && code <= 37) ||
         (code >= 41 && code <= 46) || (code >= 50 && code <= 54) || (code >= 61 && code <= 65) ||
         code == 71 || code == 81 || code == 82;
}

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool is_real_date(int y, unsigned m, unsigned d) {
  static constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  unsigned last = kDays[m - 1] + ((m == 2 && is_leap(y)) ? 1u : 0u);
  return d <= last;
}

int digits_value(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

// Names the offending character so "第9位" can be matched against the card.
Status not_a_digit(std::string_view id, std::size_t byte_pos, std::size_t char_pos) {
  std::string shown(id.substr(byte_pos, seq_len(static_cast<unsigned char>(id[byte_pos]))));
  std::string msg = "身份证号码第" + std::to_string(char_pos) + "位应为数字，当前为“" + shown + "”";
  if (static_cast<unsigned char>(id[byte_pos]) >= 0x80) msg += "（请使用半角数字）";
  return Status::validation(std::move(msg));
}

}  // namespace

char resident_id_check_char(std::string_view first17) {
  if (first17.size() != 17) return '\0';
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) {
    if (!is_digit(first17[i])) return '\0';
    sum += (first17[i] - '0') * kWeights[i];
  }
  return kCheckChars[static_cast<std::size_t>(sum % 11)];
}

Result<ResidentId> parse_resident_id(std::string_view text, int today_yyyymmdd) {
  std::string_view id = trim(text);
  if (id.empty()) return Status::validation("身份证号码不能为空");

  std::size_t chars = char_count(id);
  if (chars != 18) {
    return Status::validation("身份证号码应为18位，当前为" + std::to_string(chars) + "位");
  }
  // 18 characters but more than 18 bytes: some character is non-ASCII.
  std::size_t pos = 0;
  for (std::size_t i = 0; i < id.size(); i += seq_len(static_cast<unsigned char>(id[i]))) {
    ++pos;
    bool last = pos == 18;
    char c = id[i];
    if (!is_digit(c) && !(last && (c == 'X' || c == 'x'))) {
      if (last) {
        std::string shown(id.substr(i));
        return Status::validation("身份证号码最后一位应为数字或X，当前为“" + shown + "”");
      }
      return not_a_digit(id, i, pos);
    }
  }

  std::string number(id);
  if (number[17] == 'x') number[17] = 'X';

  if (!is_province(digits_value(number.substr(0, 2)))) {
    return Status::validation("身份证号码前两位不是有效的省级行政区划代码");
  }

  std::string birth = number.substr(6, 8);
  int year = digits_value(birth.substr(0, 4));
  auto month = static_cast<unsigned>(digits_value(birth.substr(4, 2)));
  auto day = static_cast<unsigned>(digits_value(birth.substr(6, 2)));
  if (!is_real_date(year, month, day)) {
    return Status::validation("身份证号码中的出生日期无效：" + birth);
  }
  if (year < 1900) {
    return Status::validation("身份证号码中的出生日期早于1900年：" + birth);
  }
  if (digits_value(birth) > today_yyyymmdd) {
    return Status::validation("身份证号码中的出生日期晚于今天：" + birth);
  }

  char expected = resident_id_check_char(std::string_view(number).substr(0, 17));
  if (number[17] != expected) {
    // Naming the expected character would invite "fixing" the last digit of a
    // mistyped number; the clerk must re-read the whole number from the card.
    return Status::validation("身份证号码校验位不符，号码中有数字录入错误，请对照证件逐位核对");
  }

  ResidentId out;
  out.area_code = number.substr(0, 6);
  out.birth_year = year;
  out.birth_month = month;
  out.birth_day = day;
  out.male = (number[16] - '0') % 2 == 1;
  out.number = std::move(number);
  return out;
}

}  // namespace hallsync::client
