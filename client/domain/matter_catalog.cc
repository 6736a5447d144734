// Reads and writes the matter catalog CSV. The reader is strict: a catalog
// that loads half-right would give clerks wrong deadlines or material lists,
// so every defect stops the load with the line that caused it.
#include "client/domain/matter_catalog.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>
#include <utility>

#include "schema/embedded.h"

namespace hallsync::client {
namespace {

constexpr std::string_view kVersionPrefix = "# catalog_version:";
constexpr std::string_view kColumns[] = {
    "seq_no",        "matter_id",      "department", "matter_type", "name",      "remark",
    "handling_kind", "promised_days",  "legal_max_days", "time_unit", "materials", "is_default"};
constexpr std::size_t kColumnCount = std::size(kColumns);

// One physical record: a comment line or the fields of a (possibly multi-line) row.
struct Record {
  int line = 0;  // where the record starts, for messages
  bool is_comment = false;
  std::string comment;
  std::vector<std::string> fields;
};

Status error_at(int line, const std::string& what) {
  return Status::validation("matter catalog line " + std::to_string(line) + ": " + what);
}

std::string_view trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

// RFC 4180 records. Quoted fields may hold commas, doubled quotes and line
// breaks; CRLF files (edited on a hall PC) read the same as LF files.
Result<std::vector<Record>> read_records(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // BOM from Windows editors
  std::vector<Record> records;
  std::size_t pos = 0;
  int line = 1;
  const auto at_line_end = [&] { return pos >= text.size() || text[pos] == '\n' || text[pos] == '\r'; };
  const auto skip_line_end = [&] {
    if (pos < text.size() && text[pos] == '\r') ++pos;
    if (pos < text.size() && text[pos] == '\n') ++pos;
    ++line;
  };
  while (pos < text.size()) {
    Record rec;
    rec.line = line;
    const std::size_t eol = std::min(text.find('\n', pos), text.size());
    if (trim(text.substr(pos, eol - pos)).empty()) {
      pos = eol;
      skip_line_end();
      continue;
    }
    if (text[pos] == '#') {
      rec.is_comment = true;
      rec.comment = std::string(trim(text.substr(pos, eol - pos)));
      pos = eol;
      skip_line_end();
      records.push_back(std::move(rec));
      continue;
    }
    while (true) {
      std::string field;
      if (pos < text.size() && text[pos] == '"') {
        ++pos;
        while (true) {
          if (pos >= text.size()) return error_at(rec.line, "quoted field is never closed");
          const char c = text[pos++];
          if (c == '"') {
            if (pos < text.size() && text[pos] == '"') {
              field += '"';
              ++pos;
              continue;
            }
            break;
          }
          if (c == '\n') ++line;
          field += c;
        }
        if (!at_line_end() && text[pos] != ',')
          return error_at(line, "unexpected text after a closing quote in column " +
                                    std::to_string(rec.fields.size() + 1));
      } else {
        while (!at_line_end() && text[pos] != ',') {
          if (text[pos] == '"')
            return error_at(line, "quote inside unquoted column " + std::to_string(rec.fields.size() + 1) +
                                      " (quote the whole field and double the quote)");
          field += text[pos++];
        }
      }
      rec.fields.push_back(std::move(field));
      if (pos < text.size() && text[pos] == ',') {
        ++pos;
        continue;
      }
      skip_line_end();
      break;
    }
    records.push_back(std::move(rec));
  }
  return records;
}

bool parse_count(std::string_view s, int& out) {
  if (s.empty() || s.front() < '0' || s.front() > '9') return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

Result<Matter> parse_matter(const Record& rec) {
  const auto& f = rec.fields;
  const auto fail = [&](const std::string& what) { return error_at(rec.line, what); };
  if (f.size() != kColumnCount)
    return fail("expected " + std::to_string(kColumnCount) + " columns, found " + std::to_string(f.size()));
  Matter m;
  if (!parse_count(f[0], m.seq_no) || m.seq_no < 1) return fail("seq_no " + quoted(f[0]) + " is not a positive integer");
  m.matter_id = f[1];
  m.department = f[2];
  m.matter_type = f[3];
  m.name = f[4];
  m.remark = f[5];
  for (std::size_t i = 1; i <= 4; ++i)
    if (trim(f[i]).empty()) return fail("empty " + std::string(kColumns[i]));
  if (f[6] == "instant") {
    m.handling_kind = HandlingKind::Instant;
  } else if (f[6] == "promised") {
    m.handling_kind = HandlingKind::Promised;
  } else {
    return fail("unknown handling_kind " + quoted(f[6]) + " (expected instant or promised)");
  }
  if (!parse_count(f[7], m.promised_days)) return fail("promised_days " + quoted(f[7]) + " is not a whole number");
  if (!parse_count(f[8], m.legal_max_days)) return fail("legal_max_days " + quoted(f[8]) + " is not a whole number");
  // An instant matter with a promise would make the clerk's deadline ambiguous.
  if (m.handling_kind == HandlingKind::Instant && m.promised_days != 0)
    return fail("instant matter must have promised_days 0, found " + f[7]);
  if (m.legal_max_days < m.promised_days)
    return fail("legal_max_days " + f[8] + " is less than promised_days " + f[7]);
  if (f[9] == "working") {
    m.time_unit = TimeUnit::WorkingDays;
  } else if (f[9] == "calendar") {
    m.time_unit = TimeUnit::CalendarDays;
  } else {
    return fail("unknown time_unit " + quoted(f[9]) + " (expected working or calendar)");
  }
  // The one-time notice (一次性告知) lists these, so an empty entry is a defect.
  if (trim(f[10]).empty()) return fail("materials is empty");
  std::string_view rest = f[10];
  while (true) {
    const std::size_t bar = rest.find('|');
    const std::string_view item = trim(rest.substr(0, bar));
    if (item.empty()) return fail("materials has an empty entry");
    m.materials.emplace_back(item);
    if (bar == std::string_view::npos) break;
    rest.remove_prefix(bar + 1);
  }
  if (f[11] != "0" && f[11] != "1") return fail("is_default " + quoted(f[11]) + " (expected 0 or 1)");
  m.is_default = f[11] == "1";
  return m;
}

}  // namespace

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

namespace {

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

Result<MatterCatalog> MatterCatalog::parse_csv(std::string_view csv_text) {
  HALLSYNC_ASSIGN_OR_RETURN(std::vector<Record> records, read_records(csv_text));
  MatterCatalog catalog;
  bool header_seen = false;
  std::map<std::string, int, std::less<>> id_lines;
  std::map<int, int> seq_lines;
  for (const Record& rec : records) {
    if (rec.is_comment) {
      // Comments after the header are notes for editors and are not kept.
      if (header_seen) continue;
      if (rec.comment.starts_with(kVersionPrefix)) {
        if (!catalog.version_.empty()) return error_at(rec.line, "second catalog_version comment");
        catalog.version_ = std::string(trim(std::string_view(rec.comment).substr(kVersionPrefix.size())));
        if (catalog.version_.empty()) return error_at(rec.line, "catalog_version is empty");
      } else {
        catalog.comments_.push_back(rec.comment);
      }
      continue;
    }
    if (!header_seen) {
      if (catalog.version_.empty())
        return error_at(rec.line, "missing '# catalog_version: …' comment before the header");
      if (!std::equal(rec.fields.begin(), rec.fields.end(), std::begin(kColumns), std::end(kColumns)))
        return error_at(rec.line, "header must be the " + std::to_string(kColumnCount) +
                                      " columns seq_no,matter_id,…,is_default in order");
      header_seen = true;
      continue;
    }
    HALLSYNC_ASSIGN_OR_RETURN(Matter matter, parse_matter(rec));
    // Cases refer to matters by id and clerks by number: both must be unique.
    if (auto [it, fresh] = id_lines.emplace(matter.matter_id, rec.line); !fresh)
      return error_at(rec.line, "duplicate matter_id " + matter.matter_id + " (first on line " +
                                    std::to_string(it->second) + ")");
    if (auto [it, fresh] = seq_lines.emplace(matter.seq_no, rec.line); !fresh)
      return error_at(rec.line, "duplicate seq_no " + std::to_string(matter.seq_no) + " (first on line " +
                                    std::to_string(it->second) + ")");
    catalog.matters_.push_back(std::move(matter));
  }
  const int last_line = records.empty() ? 1 : records.back().line;
  if (!header_seen) {
    if (catalog.version_.empty()) return error_at(last_line, "missing '# catalog_version: …' comment");
    return error_at(last_line, "no header line");
  }
  if (catalog.matters_.empty()) return error_at(last_line, "the catalog has no matters");
  return catalog;
}

const MatterCatalog& MatterCatalog::builtin() {
  static const MatterCatalog catalog = [] {
    Result<MatterCatalog> parsed = parse_csv(schema::embedded_file("catalog/matters.csv"));
    if (!parsed.is_ok()) {
      // Every hall would run on this file; refusing to start beats wrong deadlines.
      std::fprintf(stderr, "hallsync: the built-in matter catalog schema/catalog/matters.csv is broken: %s\n",
                   parsed.status().message().c_str());
      std::abort();
    }
    return std::move(parsed).value();
  }();
  return catalog;
}

const Matter* MatterCatalog::find(std::string_view matter_id) const {
  for (const Matter& m : matters_)
    if (m.matter_id == matter_id) return &m;
  // Clerks read the number off the printed list, often with its zero padding.
  int seq = 0;
  if (!parse_count(matter_id, seq)) return nullptr;
  for (const Matter& m : matters_)
    if (m.seq_no == seq) return &m;
  return nullptr;
}

std::vector<const Matter*> MatterCatalog::search(std::string_view query) const {
  // Folding ASCII only is safe on UTF-8: multi-byte sequences never contain ASCII bytes.
  const std::string needle = ascii_lower(trim(query));
  std::vector<const Matter*> hits;
  for (const Matter& m : matters_) {
    for (const std::string* field : {&m.matter_id, &m.name, &m.department, &m.matter_type, &m.remark}) {
      if (ascii_lower(*field).find(needle) != std::string::npos) {
        hits.push_back(&m);
        break;
      }
    }
  }
  return hits;
}

std::string MatterCatalog::to_csv() const {
  std::string out = std::string(kVersionPrefix) + " " + version_ + "\n";
  for (const std::string& c : comments_) out += c + "\n";
  for (std::size_t i = 0; i < kColumnCount; ++i) out += std::string(i ? "," : "") + std::string(kColumns[i]);
  out += "\n";
  for (const Matter& m : matters_) {
    std::string materials;
    for (const std::string& item : m.materials) materials += (materials.empty() ? "" : "|") + item;
    const std::string fields[] = {std::to_string(m.seq_no),
                                  m.matter_id,
                                  m.department,
                                  m.matter_type,
                                  m.name,
                                  m.remark,
                                  std::string(handling_kind_code(m.handling_kind)),
                                  std::to_string(m.promised_days),
                                  std::to_string(m.legal_max_days),
                                  std::string(time_unit_code(m.time_unit)),
                                  materials,
                                  m.is_default ? "1" : "0"};
    for (std::size_t i = 0; i < kColumnCount; ++i) out += (i ? "," : "") + csv_field(fields[i]);
    out += "\n";
  }
  return out;
}

}  // namespace hallsync::client
