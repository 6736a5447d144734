// The v2 preset deflate dictionary. Never change it for a released version:
// both ends must hold the same bytes. A new dictionary means a new protocol
// version. Most likely strings go last (deflate prefers near matches).
#include <string_view>

namespace hallsync::protocol {

std::string_view preset_dictionary() {
  static constexpr std::string_view kDictionary =
      "申请表近期免冠照片营业执照经营场所证明不动产权属证明医疗诊断证明残疾人证"
      "收入状况证明家庭经济状况核对授权书最低生活保障申请书银行卡（社会保障卡）"
      "申请人居民身份证居民户口簿promisedinstantworkingcalendar"
      "ganxian-2020.1+defaults.1GX-0GX-1hub360704100-W01-2026360704case_events"
      "accepteddecisionacceptance1380139013601350137015801890"
      "0123456789abcdef-4-8-9-a-b-";
  return kDictionary;
}

}  // namespace hallsync::protocol
