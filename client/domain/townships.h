// The townships of 赣县区 and their service halls, by administrative division
// code. Documents printed at a hall name the hall as the issuing body, and the
// hall code is all a case records, so this is where a code becomes a name.
#pragma once

#include <string>
#include <string_view>

namespace hallsync::client {

// 9-digit township code ("360704100") or its 12-digit zero-padded form
// ("360704100000") → "梅林镇"; "" for any other code.
std::string_view township_name(std::string_view hall_code);

// "梅林镇综合便民服务中心"; an unknown code still yields a usable, honest name
// ("乡镇综合便民服务中心（<code>）") so a document never loses its issuer.
std::string hall_display_name(std::string_view hall_code);

}  // namespace hallsync::client
