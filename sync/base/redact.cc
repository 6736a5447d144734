// Masking of ID numbers, phone numbers and names. The free-text scanner works
// on bytes: every byte of a multi-byte UTF-8 character is >= 0x80, so it can
// never be mistaken for an ASCII digit and Chinese text passes through intact.
// redact_pii and contains_clear_pii share one scanner so that what one masks
// is exactly what the other looks for.
#include "sync/api/redact.h"

#include <array>
#include <vector>

namespace hallsync {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Byte length of the UTF-8 character at s[i]; 0 when the bytes there do not
// form one. Looser than a validator (overlongs pass) because masking only
// needs to cut at character boundaries, never to judge the text.
std::size_t unit_len(std::string_view s, std::size_t i) {
  auto lead = static_cast<unsigned char>(s[i]);
  std::size_t len = lead < 0x80 ? 1 : lead >= 0xF0 && lead <= 0xF4 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  }
  return len;
}

// Splits into characters; a malformed byte becomes its own one-byte piece.
std::vector<std::string_view> units(std::string_view s, bool* well_formed = nullptr) {
  std::vector<std::string_view> out;
  if (well_formed) *well_formed = true;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = unit_len(s, i);
    if (n == 0) {
      if (well_formed) *well_formed = false;
      n = 1;
    }
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

// Shows `keep_front` and `keep_back` characters, one '*' for each other one.
std::string keep_ends(const std::vector<std::string_view>& u, std::size_t keep_front, std::size_t keep_back) {
  std::string out;
  for (std::size_t i = 0; i < u.size(); ++i) {
    if (i < keep_front || i + keep_back >= u.size()) out += u[i];
    else out += '*';
  }
  return out;
}

bool is_mobile(std::string_view d) {
  return d.size() == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9';
}

// Same rule as the clerk-side phone check: 01x/02x area codes have 3 digits,
// others 4; the local number has 7 or 8.
std::size_t landline_area_len(std::string_view d) {
  if (d.size() < 3 || d[0] != '0' || d[1] == '0') return 0;
  std::size_t area = (d[1] == '1' || d[1] == '2') ? 3 : 4;
  std::size_t local = d.size() > area ? d.size() - area : 0;
  return local >= 7 && local <= 8 ? area : 0;
}

// ISO 7064 MOD 11-2, as in GB 11643. Duplicated from the client's ID parser
// because sync/ may not include client/; a test cross-checks the two.
char check_char(std::string_view first17) {
  static constexpr std::array<int, 17> kWeights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return std::string_view("10X98765432")[static_cast<std::size_t>(sum % 11)];
}

enum class Kind { Id18, Id15, Mobile, MobileGrouped };
struct Hit {
  std::size_t begin, end;
  Kind kind;
};

// Length of the digit run starting at i.
std::size_t run_at(std::string_view s, std::size_t i) {
  std::size_t j = i;
  while (j < s.size() && is_digit(s[j])) ++j;
  return j - i;
}

// "138 1234 5678" / "138-1234-5678": same separator twice, each group a whole
// digit run. Returns the end of the match or 0.
std::size_t grouped_mobile_end(std::string_view s, std::size_t i) {
  if (!(s[i] == '1' && s[i + 1] >= '3' && s[i + 1] <= '9')) return 0;
  std::size_t p = i + 3;
  if (p >= s.size() || (s[p] != ' ' && s[p] != '-')) return 0;
  char sep = s[p];
  if (run_at(s, p + 1) != 4) return 0;
  p += 5;
  if (p >= s.size() || s[p] != sep || run_at(s, p + 1) != 4) return 0;
  return p + 5;
}

std::vector<Hit> scan(std::string_view s) {
  std::vector<Hit> hits;
  std::size_t i = 0;
  while (i < s.size()) {
    if (!is_digit(s[i])) { ++i; continue; }
    std::size_t len = run_at(s, i), j = i + len;
    if (len == 17 && j < s.size() && (s[j] == 'X' || s[j] == 'x')) {
      hits.push_back({i, j + 1, Kind::Id18});
      j += 1;
    } else if (len == 18) {
      hits.push_back({i, j, Kind::Id18});
    } else if (len == 15) {
      hits.push_back({i, j, Kind::Id15});
    } else if (len == 11 && is_mobile(s.substr(i, len))) {
      hits.push_back({i, j, Kind::Mobile});
    } else if (len == 13 && i > 0 && s[i - 1] == '+' && s.compare(i, 2, "86") == 0 &&
               is_mobile(s.substr(i + 2, 11))) {
      hits.push_back({i + 2, j, Kind::Mobile});  // "+86" stays readable
    } else if (len == 3) {
      if (std::size_t end = grouped_mobile_end(s, i)) {
        hits.push_back({i, end, Kind::MobileGrouped});
        j = end;
      }
    }
    i = j;
  }
  return hits;
}

}  // namespace

std::string mask_id_number(std::string_view id) {
  auto u = units(id);
  std::size_t keep = u.size() >= 15 ? 4 : u.size() >= 8 ? 2 : 0;
  return keep_ends(u, keep, keep);
}

std::string mask_phone(std::string_view phone) {
  std::string digits;
  bool plus = false, clean = true;
  for (char c : phone) {
    if (c == ' ' || c == '-') continue;
    if (c == '+' && digits.empty() && !plus) { plus = true; continue; }
    if (!is_digit(c)) { clean = false; break; }
    digits += c;
  }
  if (clean) {
    if (digits.size() == 13 && digits.compare(0, 2, "86") == 0 && is_mobile(digits.substr(2))) {
      digits.erase(0, 2);
    }
    if (is_mobile(digits)) return digits.substr(0, 3) + "****" + digits.substr(7);
    std::size_t area = plus ? 0 : landline_area_len(digits);
    if (area != 0) {
      std::size_t hidden = digits.size() - area - 2;
      return digits.substr(0, area) + "-" + std::string(hidden, '*') + digits.substr(digits.size() - 2);
    }
  }
  auto u = units(phone);
  return keep_ends(u, 0, u.size() >= 6 ? 2 : 0);
}

std::string mask_name(std::string_view utf8_name) {
  bool well_formed = true;
  auto u = units(utf8_name, &well_formed);
  if (!well_formed) return std::string(u.size(), '*');
  return keep_ends(u, u.size() > 1 ? 1 : 0, 0);
}

std::string redact_pii(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t at = 0;
  for (const Hit& h : scan(text)) {
    out.append(text.substr(at, h.begin - at));
    std::string_view found = text.substr(h.begin, h.end - h.begin);
    switch (h.kind) {
      case Kind::Id18:
      case Kind::Id15: out += mask_id_number(found); break;
      case Kind::Mobile: out += mask_phone(found); break;
      case Kind::MobileGrouped:  // keep the writer's grouping: "138 **** 5678"
        out.append(found.substr(0, 4)).append("****").append(found.substr(8));
        break;
    }
    at = h.end;
  }
  out.append(text.substr(at));
  return out;
}

bool contains_clear_pii(std::string_view text) {
  for (const Hit& h : scan(text)) {
    if (h.kind == Kind::Mobile || h.kind == Kind::MobileGrouped) return true;
    if (h.kind == Kind::Id18) {
      char last = text[h.end - 1] == 'x' ? 'X' : text[h.end - 1];
      if (check_char(text.substr(h.begin, 17)) == last) return true;
    }
    // 15-digit IDs carry no check character, so a match proves nothing.
  }
  return false;
}

}  // namespace hallsync
