// Resident ID entry: what a clerk may type, and what each mistake is called.
#include <catch2/catch.hpp>

#include <string>

#include "client/domain/resident_id.h"

using namespace hallsync;
using namespace hallsync::client;

namespace {

constexpr int kToday = 20261128;

// A valid ID is built from its 17 leading digits so the check character is
// computed, never typed by hand.
std::string with_check(const std::string& first17) { return first17 + resident_id_check_char(first17); }

// Any check character except the right one.
char wrong_check(const std::string& first17) { return resident_id_check_char(first17) == '0' ? '1' : '0'; }

std::string error_of(std::string_view text) {
  auto r = parse_resident_id(text, kToday);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().kind() == ErrorKind::Validation);
  return r.status().message();
}

}  // namespace

TEST_CASE("The check character matches the published GB 11643 example", "[id]") {
  // 11010519491231002X is the standard's own worked example; it anchors the
  // helper so the other tests, which use it, are not circular.
  CHECK(resident_id_check_char("11010519491231002") == 'X');
  CHECK(resident_id_check_char("36070419900101123") == '5');
  CHECK(resident_id_check_char("36072119851231002") == '8');
}

TEST_CASE("The check character helper refuses anything but 17 digits", "[id]") {
  CHECK(resident_id_check_char("3607041990010112") == '\0');
  CHECK(resident_id_check_char("360704199001011234") == '\0');
  CHECK(resident_id_check_char("3607041990010112A") == '\0');
}

TEST_CASE("A valid 赣县区 ID is parsed into area, birth date and sex", "[id]") {
  const std::string id = with_check("36070419900101123");
  auto r = parse_resident_id(id, kToday);
  REQUIRE(r.is_ok());
  CHECK(r->number == id);
  CHECK(r->area_code == "360704");
  CHECK(r->birth_year == 1990);
  CHECK(r->birth_month == 1u);
  CHECK(r->birth_day == 1u);
  CHECK(r->male);  // 17th digit 3 is odd
}

TEST_CASE("An ID issued under the pre-2017 赣县 code 360721 is still accepted", "[id]") {
  const std::string id = with_check("36072119851231002");
  auto r = parse_resident_id(id, kToday);
  REQUIRE(r.is_ok());
  CHECK(r->area_code == "360721");
  CHECK(r->birth_year == 1985);
  CHECK(r->birth_month == 12u);
  CHECK(r->birth_day == 31u);
  CHECK_FALSE(r->male);  // 17th digit 2 is even
}

TEST_CASE("Sex is read from the 17th digit", "[id]") {
  for (char d = '0'; d <= '9'; ++d) {
    const std::string id = with_check(std::string("3607041990010112") + d);
    auto r = parse_resident_id(id, kToday);
    REQUIRE(r.is_ok());
    CHECK(r->male == ((d - '0') % 2 == 1));
  }
}

TEST_CASE("A lower-case x check character is stored as X", "[id]") {
  auto r = parse_resident_id("11010519491231002x", kToday);
  REQUIRE(r.is_ok());
  CHECK(r->number == "11010519491231002X");
}

TEST_CASE("Spaces around a pasted ID are ignored", "[id]") {
  const std::string id = with_check("36070419900101123");
  auto r = parse_resident_id("  " + id + "\t\n", kToday);
  REQUIRE(r.is_ok());
  CHECK(r->number == id);
}

TEST_CASE("A wrong check character names the expected one", "[id]") {
  const std::string first17 = "36070419900101123";
  const std::string id = first17 + wrong_check(first17);
  CHECK(error_of(id) == "身份证号码校验位不符，号码中有数字录入错误，请对照证件逐位核对");
  CHECK(error_of("110105194912310021") == "身份证号码校验位不符，号码中有数字录入错误，请对照证件逐位核对");
}

TEST_CASE("An ID of the wrong length says how long it is", "[id]") {
  const std::string id = with_check("36070419900101123");
  CHECK(error_of(id.substr(0, 17)) == "身份证号码应为18位，当前为17位");
  CHECK(error_of(id + "1") == "身份证号码应为18位，当前为19位");
  CHECK(error_of("") == "身份证号码不能为空");
  CHECK(error_of("   ") == "身份证号码不能为空");
}

TEST_CASE("Length is counted in characters, so a Chinese character counts once", "[id]") {
  // 17 digits and one full-width digit: 18 characters, 20 bytes.
  CHECK(error_of("36070419900101123\xEF\xBC\x95") == "身份证号码最后一位应为数字或X，当前为“５”");
  CHECK(error_of("3607041990010112赣") == "身份证号码应为18位，当前为17位");
}

TEST_CASE("A letter in the middle of an ID names its position", "[id]") {
  CHECK(error_of("36070419A00101123X") == "身份证号码第9位应为数字，当前为“A”");
  CHECK(error_of("X60704199001011235") == "身份证号码第1位应为数字，当前为“X”");
  CHECK(error_of("36070419900101123A") == "身份证号码最后一位应为数字或X，当前为“A”");
}

TEST_CASE("A full-width digit gets a hint to switch to half-width input", "[id]") {
  std::string msg = error_of("360704\xEF\xBC\x91" "9900101123X");
  CHECK(msg == "身份证号码第7位应为数字，当前为“１”（请使用半角数字）");
}

TEST_CASE("An unknown province prefix is rejected", "[id]") {
  CHECK(error_of(with_check("99070419900101123")) == "身份证号码前两位不是有效的省级行政区划代码");
  CHECK(error_of(with_check("10070419900101123")) == "身份证号码前两位不是有效的省级行政区划代码");
  CHECK(error_of(with_check("72070419900101123")) == "身份证号码前两位不是有效的省级行政区划代码");
}

TEST_CASE("Every listed province prefix is accepted", "[id]") {
  for (int p : {11, 15, 21, 23, 31, 37, 41, 46, 50, 54, 61, 65, 71, 81, 82}) {
    const std::string id = with_check(std::to_string(p) + "070419900101123");
    CHECK(parse_resident_id(id, kToday).is_ok());
  }
}

TEST_CASE("Impossible birth dates are rejected with the date shown", "[id]") {
  CHECK(error_of(with_check("36070419900230123")) == "身份证号码中的出生日期无效：19900230");
  CHECK(error_of(with_check("36070420261340123")) == "身份证号码中的出生日期无效：20261340");
  CHECK(error_of(with_check("36070419000229123")) == "身份证号码中的出生日期无效：19000229");
  CHECK(error_of(with_check("36070419900100123")) == "身份证号码中的出生日期无效：19900100");
}

TEST_CASE("29 February is accepted in a leap year", "[id]") {
  CHECK(parse_resident_id(with_check("36070420000229551"), kToday).is_ok());
  CHECK(parse_resident_id(with_check("36070419960229551"), kToday).is_ok());
}

TEST_CASE("A birth date after today is rejected, today itself is not", "[id]") {
  CHECK(error_of(with_check("36070420261129123")) == "身份证号码中的出生日期晚于今天：20261129");
  CHECK(parse_resident_id(with_check("36070420261128123"), kToday).is_ok());
}

TEST_CASE("A birth date before 1900 is rejected", "[id]") {
  CHECK(error_of(with_check("36070418991231123")) == "身份证号码中的出生日期早于1900年：18991231");
  CHECK(parse_resident_id(with_check("36070419000101123"), kToday).is_ok());
}

TEST_CASE("Checks run in order so the first thing to fix is reported", "[id]") {
  // Bad province and bad date and bad check character: the province wins.
  CHECK(error_of("990704199002301230") == "身份证号码前两位不是有效的省级行政区划代码");
  // Bad date and bad check character: the date wins.
  CHECK(error_of("360704199002301230").rfind("身份证号码中的出生日期无效", 0) == 0);
}
