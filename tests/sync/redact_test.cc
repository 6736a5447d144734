// Masking of personal data in logs and exports. Built into client_tests so it
// can cross-check the sync-side check character against the client's parser.
#include <catch2/catch.hpp>

#include <string>

#include "client/domain/resident_id.h"
#include "client/domain/text_rules.h"
#include "sync/api/redact.h"

using namespace hallsync;

namespace {

std::string with_check(const std::string& first17) {
  return first17 + client::resident_id_check_char(first17);
}

std::size_t shown_chars(const std::string& masked) {
  std::size_t n = 0;
  for (char c : masked) n += c != '*' ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("An 18-character ID keeps its first 4 and last 4", "[redact]") {
  CHECK(mask_id_number("360704199001011234") == "3607**********1234");
  CHECK(mask_id_number("11010519491231002X") == "1101**********002X");
}

TEST_CASE("A 15-digit pre-1999 ID keeps its first 4 and last 4", "[redact]") {
  CHECK(mask_id_number("360704900101123") == "3607*******1123");
}

TEST_CASE("Short ID-like input reveals little, very short input nothing", "[redact]") {
  CHECK(mask_id_number("1234567890") == "12******90");
  CHECK(mask_id_number("12345678") == "12****78");
  CHECK(mask_id_number("1234567") == "*******");
  CHECK(mask_id_number("") == "");
}

TEST_CASE("An ID mask never shows more than 8 characters, nor half of a short input", "[redact]") {
  std::string id;
  for (std::size_t n = 1; n <= 30; ++n) {
    id += static_cast<char>('0' + n % 10);
    std::string masked = mask_id_number(id);
    CHECK(masked.size() == id.size());
    CHECK(shown_chars(masked) <= 8);
    if (n < 15) CHECK(shown_chars(masked) * 2 <= n);
    CHECK(masked != id);
  }
}

TEST_CASE("A mobile number keeps its first 3 and last 4 digits", "[redact]") {
  CHECK(mask_phone("13812345678") == "138****5678");
  CHECK(mask_phone("+86 138 1234 5678") == "138****5678");
  CHECK(mask_phone("8613812345678") == "138****5678");
}

TEST_CASE("A landline keeps its area code and last 2 digits", "[redact]") {
  CHECK(mask_phone("0797-4412345") == "0797-*****45");
  CHECK(mask_phone("07974412345") == "0797-*****45");
  CHECK(mask_phone("010-62345678") == "010-******78");
}

TEST_CASE("An unrecognized phone reveals at most its last 2 characters", "[redact]") {
  CHECK(mask_phone("12345") == "*****");
  CHECK(mask_phone("ext. 8001") == "*******01");
  CHECK(mask_phone("") == "");
}

TEST_CASE("A name keeps only its first character", "[redact]") {
  CHECK(mask_name("张三丰") == "张**");
  CHECK(mask_name("张三") == "张*");
  CHECK(mask_name("张") == "*");
  CHECK(mask_name("阿依古丽·买买提") == "阿*******");
  CHECK(mask_name("John Smith") == "J*********");
  CHECK(mask_name("\xF0\xA0\x80\x80\xE4\xB8\x80") == "\xF0\xA0\x80\x80*");  // 4-byte first character
  CHECK(mask_name("") == "");
}

TEST_CASE("A name in a broken encoding is masked entirely", "[redact]") {
  CHECK(mask_name("\xD5\xC5\xC8\xFD") == "****");
}

TEST_CASE("A log line's ID and phone are masked, its Chinese text kept", "[redact]") {
  const std::string id = with_check("36070419900101123");
  const std::string line = "2026-11-28 09:15:02 受理 申请人身份证" + id + "，电话13812345678，梅林镇便民服务中心";
  const std::string out = redact_pii(line);
  CHECK(out == "2026-11-28 09:15:02 受理 申请人身份证3607**********" + id.substr(14) +
                   "，电话138****5678，梅林镇便民服务中心");
  CHECK(client::is_valid_utf8(out));
}

TEST_CASE("IDs ending in x or X are masked whole", "[redact]") {
  CHECK(redact_pii("id=11010519491231002x;") == "id=1101**********002x;");
  CHECK(redact_pii("id=11010519491231002X") == "id=1101**********002X");
}

TEST_CASE("15-digit old IDs are masked", "[redact]") {
  CHECK(redact_pii("旧证号360704900101123。") == "旧证号3607*******1123。");
}

TEST_CASE("Mobiles with +86 or written in groups are masked", "[redact]") {
  CHECK(redact_pii("tel:+8613812345678") == "tel:+86138****5678");
  CHECK(redact_pii("电话 +86 13812345678") == "电话 +86 138****5678");
  CHECK(redact_pii("电话 138 1234 5678。") == "电话 138 **** 5678。");
  CHECK(redact_pii("电话 138-1234-5678") == "电话 138-****-5678");
}

TEST_CASE("Numbers inside longer digit runs are left alone", "[redact]") {
  const std::string id = with_check("36070419900101123");
  for (const std::string& text : {
           "流水号" + id + "7",              // 19 digits
           "流水号9" + id,                   // 19 digits
           std::string("卡号6222021234567890123"),
           std::string("ts=1732780800123"),  // 13-digit epoch millis
           std::string("no 138123456789"),   // 12 digits starting like a mobile
           std::string("36070419900101123"), // 17 digits, no check character
           std::string("1234567890123456"),  // 16 digits
           std::string("12812345678"),       // 11 digits, not a mobile prefix
           std::string("138 1234 56789"),    // last group too long
       }) {
    CHECK(redact_pii(text) == text);
  }
}

TEST_CASE("Redaction leaves text without personal data untouched", "[redact]") {
  const std::string text = "办件编号 A20261128-0001：材料齐全，予以受理。\n\t第2页";
  CHECK(redact_pii(text) == text);
  CHECK(redact_pii("") == "");
}

TEST_CASE("Redacting twice changes nothing more", "[redact]") {
  const std::string line = "身份证" + with_check("36072119851231002") + " 手机 +8613912345678 / 139 1234 5678";
  const std::string once = redact_pii(line);
  CHECK(redact_pii(once) == once);
}

TEST_CASE("Clear personal data is found before redaction and not after", "[redact]") {
  const std::string id = with_check("36072119851231002");
  for (const std::string& text : {
           "applicant " + id + " accepted",
           std::string("联系电话13812345678"),
           std::string("联系电话 +8613812345678"),
           std::string("联系电话 138-1234-5678"),
           std::string("证号11010519491231002x"),
       }) {
    CHECK(contains_clear_pii(text));
    CHECK_FALSE(contains_clear_pii(redact_pii(text)));
  }
}

TEST_CASE("An 18-digit run with a wrong check character is not clear PII", "[redact]") {
  const std::string first17 = "36070419900101123";
  const char right = client::resident_id_check_char(first17);
  for (char c : std::string("0123456789X")) {
    if (c == right) continue;
    CHECK_FALSE(contains_clear_pii(first17 + c));
  }
  CHECK_FALSE(contains_clear_pii("360704900101123"));  // 15 digits: no check character to prove it
  CHECK_FALSE(contains_clear_pii("3607**********1235 138****5678"));
}

TEST_CASE("The sync-side check character agrees with the client's parser", "[redact]") {
  // redact.cc carries its own copy of MOD 11-2 because sync/ may not include
  // client/; walking many prefixes catches any drift between the two.
  std::string prefix = "36072119851231000";
  for (int i = 0; i < 1000; ++i) {
    std::string seq = std::to_string(i);
    prefix.replace(17 - seq.size(), seq.size(), seq);
    CHECK(contains_clear_pii(with_check(prefix)));
  }
}
