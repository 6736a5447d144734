// Names, phone numbers and free text as clerks type them, including the
// broken encodings and hostile-looking input a counter PC will see.
#include <catch2/catch.hpp>

#include <string>

#include "client/domain/text_rules.h"

using namespace hallsync;
using namespace hallsync::client;

namespace {

template <typename T>
std::string error_of(const Result<T>& r) {
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().kind() == ErrorKind::Validation);
  return r.status().message();
}

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace

TEST_CASE("Well-formed UTF-8 is accepted, including 4-byte characters", "[text]") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("plain ASCII"));
  CHECK(is_valid_utf8("赣县区梅林镇"));
  CHECK(is_valid_utf8("\xF0\xA0\x80\x80"));  // U+20000, CJK extension B
  CHECK(is_valid_utf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
}

TEST_CASE("Ill-formed UTF-8 is rejected", "[text]") {
  CHECK_FALSE(is_valid_utf8("\x80"));                  // lone continuation byte
  CHECK_FALSE(is_valid_utf8("ab\xBF" "cd"));           // continuation byte mid-text
  CHECK_FALSE(is_valid_utf8("\xC0\xAF"));              // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xE0\x80\xAF"));          // overlong, 3 bytes
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));          // UTF-16 surrogate U+D800
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));      // U+110000, past the end
  CHECK_FALSE(is_valid_utf8("\xE8\xB5"));              // 赣 cut short
  CHECK_FALSE(is_valid_utf8("\xE8"));                  // lead byte alone at the end
  CHECK_FALSE(is_valid_utf8("\xFF"));                  // never valid
  CHECK_FALSE(is_valid_utf8("\xE8\x41\xA3"));          // ASCII inside a sequence
}

TEST_CASE("Length is counted in code points", "[text]") {
  CHECK(utf8_length("") == 0);
  CHECK(utf8_length("abc") == 3);
  CHECK(utf8_length("赣县") == 2);
  CHECK(utf8_length("\xF0\xA0\x80\x80") == 1);
}

TEST_CASE("Chinese names are accepted and trimmed", "[text]") {
  auto r = validate_person_name("  张三丰 ");
  REQUIRE(r.is_ok());
  CHECK(*r == "张三丰");
  CHECK(*validate_person_name("李〇") == "李〇");
  CHECK(*validate_person_name("\xE3\x80\x80王芳\xE3\x80\x80") == "王芳");  // full-width spaces
}

TEST_CASE("Minority names with the middle dot are accepted", "[text]") {
  auto r = validate_person_name("阿依古丽·买买提");
  REQUIRE(r.is_ok());
  CHECK(*r == "阿依古丽·买买提");
}

TEST_CASE("Look-alike dots are turned into the ID card's middle dot", "[text]") {
  CHECK(*validate_person_name("阿依古丽・买买提") == "阿依古丽·买买提");  // katakana dot
  CHECK(*validate_person_name("阿依古丽•买买提") == "阿依古丽·买买提");   // bullet
}

TEST_CASE("A middle dot at an edge or doubled is rejected", "[text]") {
  CHECK(error_of(validate_person_name("·买买提")) == "姓名中的间隔号“·”位置不正确");
  CHECK(error_of(validate_person_name("阿依古丽·")) == "姓名中的间隔号“·”位置不正确");
  CHECK(error_of(validate_person_name("阿依古丽··买买提")) == "姓名中的间隔号“·”位置不正确");
}

TEST_CASE("Latin names may contain single spaces, Chinese names may not", "[text]") {
  CHECK(*validate_person_name("John Smith") == "John Smith");
  CHECK(*validate_person_name("José  Núñez") == "José Núñez");  // doubled space collapsed
  CHECK(error_of(validate_person_name("张 三")) == "中文姓名中不能有空格");
}

TEST_CASE("An empty name is rejected", "[text]") {
  CHECK(error_of(validate_person_name("")) == "姓名不能为空");
  CHECK(error_of(validate_person_name("   ")) == "姓名不能为空");
}

TEST_CASE("A name is limited to 30 characters, not 30 bytes", "[text]") {
  CHECK(validate_person_name(repeat("张", 30)).is_ok());  // 90 bytes
  CHECK(error_of(validate_person_name(repeat("张", 31))) == "姓名过长（最多30个字），当前为31个字");
}

TEST_CASE("Digits in a name are rejected", "[text]") {
  CHECK(error_of(validate_person_name("张三1")) == "姓名不能包含数字");
  CHECK(error_of(validate_person_name("张三\xEF\xBC\x91")) == "姓名不能包含数字");  // full-width 1
}

TEST_CASE("Control characters in a name are rejected", "[text]") {
  CHECK(error_of(validate_person_name("张\n三")) == "姓名不能包含控制字符（如换行、制表符）");
  CHECK(error_of(validate_person_name("张\t三")) == "姓名不能包含控制字符（如换行、制表符）");
  CHECK(error_of(validate_person_name(std::string("张\0三", 7))) == "姓名不能包含控制字符（如换行、制表符）");
}

TEST_CASE("A name in a broken encoding is rejected", "[text]") {
  CHECK(error_of(validate_person_name("\xD5\xC5\xC8\xFD")) == "姓名包含无效的字符编码（不是有效的UTF-8）");  // GBK 张三
}

TEST_CASE("SQL-looking text is not a name because of its characters", "[text]") {
  CHECK(error_of(validate_person_name("'); DROP TABLE cases;--")) == "姓名包含不允许的字符“'”");
  CHECK(error_of(validate_person_name("张三<script>")) == "姓名包含不允许的字符“<”");
}

TEST_CASE("Mobile numbers are normalized to 11 digits", "[text]") {
  CHECK(*validate_phone("13800000000") == "13800000000");
  CHECK(*validate_phone("138 0000 0000") == "13800000000");
  CHECK(*validate_phone("138-0000-0000") == "13800000000");
  CHECK(*validate_phone("+86 13800000000") == "13800000000");
  CHECK(*validate_phone("+86-138-0000-0000") == "13800000000");
  CHECK(*validate_phone("8613800000000") == "13800000000");
  CHECK(*validate_phone(" 19912345678 ") == "19912345678");
}

TEST_CASE("Landlines need an area code and are normalized to digits", "[text]") {
  CHECK(*validate_phone("0797-4412345") == "07974412345");
  CHECK(*validate_phone("07974412345") == "07974412345");
  CHECK(*validate_phone("010-62345678") == "01062345678");
  CHECK(*validate_phone("0791-88888888") == "079188888888");
}

TEST_CASE("Malformed phone numbers are rejected with one clear message", "[text]") {
  const std::string msg = "联系电话格式不正确：请填写11位手机号或带区号的固定电话";
  CHECK(error_of(validate_phone("12345")) == msg);
  CHECK(error_of(validate_phone("1234567890123")) == msg);
  CHECK(error_of(validate_phone("12800000000")) == msg);     // 12x is not a mobile prefix
  CHECK(error_of(validate_phone("4412345")) == msg);         // landline without area code
  CHECK(error_of(validate_phone("0797-441234")) == msg);     // 6-digit local number
  CHECK(error_of(validate_phone("+1 2025550123")) == msg);   // foreign number
  CHECK(error_of(validate_phone("138O0000000")) == msg);     // letter O for zero
  CHECK(error_of(validate_phone("+86 0797 4412345")) == msg);
  CHECK(error_of(validate_phone("")) == "联系电话不能为空");
  CHECK(error_of(validate_phone(" - ")) == "联系电话不能为空");
}

TEST_CASE("Free text limits are counted in code points, not bytes", "[text]") {
  CHECK(*validate_free_text(repeat("赣", 10), "备注", 10, false) == repeat("赣", 10));  // 30 bytes
  CHECK(error_of(validate_free_text(repeat("赣", 11), "备注", 10, false)) == "备注过长（最多10个字），当前为11个字");
}

TEST_CASE("Optional free text may be empty, required text may not be blank", "[text]") {
  CHECK(*validate_free_text("", "备注", 200, false) == "");
  CHECK(error_of(validate_free_text("", "不予受理理由", 500, true)) == "不予受理理由不能为空");
  CHECK(error_of(validate_free_text(" \n\t\xE3\x80\x80", "不予受理理由", 500, true)) == "不予受理理由不能为空");
}

TEST_CASE("Free text keeps newlines and tabs and rejects other control characters", "[text]") {
  CHECK(*validate_free_text("第一行\n\t第二行", "备注", 200, false) == "第一行\n\t第二行");
  CHECK(error_of(validate_free_text("响铃\a", "备注", 200, false)) == "备注包含不允许的控制字符");
  CHECK(error_of(validate_free_text("\x1B[31m", "备注", 200, false)) == "备注包含不允许的控制字符");
  CHECK(error_of(validate_free_text("\xC2\x85", "备注", 200, false)) == "备注包含不允许的控制字符");  // NEL
}

TEST_CASE("Windows line endings in pasted free text become plain newlines", "[text]") {
  CHECK(*validate_free_text("一\r\n二\r三", "备注", 200, false) == "一\n二\n三");
}

TEST_CASE("Free text in a broken encoding names the field", "[text]") {
  CHECK(error_of(validate_free_text("\xB1\xB8\xD7\xA2", "备注", 200, false)) ==
        "备注包含无效的字符编码（不是有效的UTF-8）");
  CHECK(error_of(validate_free_text("法律依据\xED\xA0\x80", "法律依据", 200, true)) ==
        "法律依据包含无效的字符编码（不是有效的UTF-8）");
}

TEST_CASE("SQL-looking free text is stored verbatim", "[text]") {
  const std::string sql = "'); DROP TABLE cases;--";
  CHECK(*validate_free_text(sql, "备注", 200, true) == sql);
}
