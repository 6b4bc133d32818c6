#include "sim/strict_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <limits>
#include <sstream>
#include <unordered_set>
#include <vector>

namespace fathom {
namespace {

using Event = nlohmann::json::parse_event_t;

// Follows the parse event by event: the JSON path reached, the keys of each open object (to refuse a
// key written twice) and the depth (to refuse absurd nesting before anything recurses over it).
class ParseTracker {
 public:
  ParseTracker(const std::string& label, const std::string& prefix) : label_(label), prefix_(prefix) {}

  bool on_event(Event event, const nlohmann::json& parsed) {
    switch (event) {
      case Event::object_start:
      case Event::array_start:
        if (static_cast<int>(frames_.size()) >= kMaxJsonDepth) {
          throw InputError(fmt::format("{}: {}: nested deeper than {} levels (no scenario needs that many)", label_,
                                       path(), kMaxJsonDepth));
        }
        frames_.push_back({event == Event::object_start, {}, {}, 0, false});
        break;
      case Event::key: {
        Frame& f = frames_.back();
        const std::string& key = parsed.get_ref<const std::string&>();
        if (!f.keys.insert(key).second) {
          f.key = key;
          f.has_key = true;
          throw InputError(
              fmt::format("{}: {}: duplicate key: written twice in one object (JSON would keep only "
                          "the last; remove one)",
                          label_, path()));
        }
        f.key = key;
        f.has_key = true;
        break;
      }
      case Event::value:
        next_element();
        break;
      case Event::object_end:
      case Event::array_end:
        frames_.pop_back();
        next_element();
        break;
    }
    return true;
  }

  // "a.b.3.c": where the parser is; "(top level)" before the first key.
  std::string path() const {
    std::string out = prefix_;
    for (const Frame& f : frames_) {
      if (f.object && !f.has_key) break;
      if (!out.empty()) out += '.';
      out += f.object ? printable(f.key, 40) : std::to_string(f.index);
    }
    return out.empty() ? "(top level)" : printable(out, 100);
  }

 private:
  struct Frame {
    bool object;
    std::unordered_set<std::string> keys;
    std::string key;
    size_t index;
    bool has_key;
  };

  void next_element() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
  }

  const std::string& label_;
  const std::string& prefix_;
  std::vector<Frame> frames_;
};

// nlohmann's message after its "[json.exception...] parse error at line L, column C: " prefix.
std::string parse_reason(const std::string& what) {
  const size_t at = what.find("parse error");
  const size_t colon = what.find(": ", at == std::string::npos ? 0 : at);
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

size_t spelling_distance(std::string_view a_text, std::string_view b_text) {
  const std::string a = lower(a_text), b = lower(b_text);
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

bool is_near_spelling(std::string_view written, std::string_view known) {
  if (written.size() > 64 || known.size() > 64 || written == known) return false;
  // One cut short or run on ("--out" / "--output"): a shared stem of at least 3 characters, dashes aside.
  std::string a = lower(written), b = lower(known);
  a.erase(0, a.find_first_not_of('-'));
  b.erase(0, b.find_first_not_of('-'));
  if (std::min(a.size(), b.size()) >= 3 && (a.rfind(b, 0) == 0 || b.rfind(a, 0) == 0)) return true;
  const size_t n = known.size();
  const size_t allowed = n <= 3 ? 1 : n <= 5 ? 2 : 3;
  return spelling_distance(written, known) <= allowed;
}

std::string closest_spelling(std::string_view written, const std::vector<std::string>& known) {
  std::string best;
  size_t best_distance = std::numeric_limits<size_t>::max();
  for (const std::string& k : known) {
    if (!is_near_spelling(written, k)) continue;
    const size_t dist = spelling_distance(written, k);
    if (dist < best_distance) best = k, best_distance = dist;
  }
  return best;
}

nlohmann::json parse_strict_json(std::string_view text, const std::string& label, const std::string& path_prefix) {
  if (std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; })) {
    throw JsonSyntaxError(fmt::format("{}: empty: expected a JSON value", label));
  }
  ParseTracker tracker(label, path_prefix);
  try {
    return nlohmann::json::parse(
        text.begin(), text.end(),
        [&tracker](int /*depth*/, Event event, nlohmann::json& parsed) { return tracker.on_event(event, parsed); });
  } catch (const nlohmann::json::parse_error& e) {
    const size_t upto = std::min(static_cast<size_t>(e.byte), text.size());
    const long line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(upto), '\n');
    const size_t line_start = text.rfind('\n', upto == 0 ? 0 : upto - 1);
    const size_t column = line_start == std::string_view::npos ? upto : upto - line_start - 1;
    throw JsonSyntaxError(fmt::format("{}: line {}: malformed JSON at column {} (in {}): {}", label, line, column,
                                      tracker.path(), printable(parse_reason(e.what()), 160)));
  } catch (const nlohmann::json::out_of_range& e) {
    // 406: a number literal beyond the range of a double, e.g. 1e400.
    const std::string what = e.what();
    const size_t open = what.find('\'');
    const size_t close = what.rfind('\'');
    const std::string number =
        open != std::string::npos && close > open ? what.substr(open + 1, close - open - 1) : std::string("number");
    throw InputError(fmt::format("{}: {}: the number {} is out of range (a double reaches about 1.8e308)", label,
                                 tracker.path(), printable(number, 40)));
  }
}

nlohmann::json read_json_file(const std::filesystem::path& file) {
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    throw InputError(fmt::format("{}: is a directory, not a JSON file", printable(file.string(), 200)));
  }
  // Only regular files: a FIFO or /dev/zero would read forever (found by the fuzzer's resource guard).
  if (std::filesystem::exists(file, ec) && !std::filesystem::is_regular_file(file, ec)) {
    throw InputError(fmt::format("{}: not a regular file", printable(file.string(), 200)));
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError(fmt::format("{}: cannot open file", printable(file.string(), 200)));
  std::stringstream text;
  text << in.rdbuf();
  return parse_strict_json(text.str(), printable(file.string(), 200));
}

bool is_valid_utf8(std::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t extra = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      extra = 1, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= n) return false;  // a sequence cut short by the end of the text
    for (size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    const bool overlong = (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

std::string printable(std::string_view text, size_t max_chars) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::string piece;
    size_t used = 1;
    if (c == '\n') {
      piece = "\\n";
    } else if (c == '\r') {
      piece = "\\r";
    } else if (c == '\t') {
      piece = "\\t";
    } else if (c < 0x20 || c == 0x7F) {
      piece = fmt::format("\\x{:02X}", c);
    } else if (c < 0x80) {
      piece = std::string(1, static_cast<char>(c));
    } else {
      const size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
      if (len > 1 && i + len <= text.size() && is_valid_utf8(text.substr(i, len))) {
        piece = std::string(text.substr(i, len));
        used = len;
      } else {
        piece = fmt::format("\\x{:02X}", c);
      }
    }
    if (out.size() + piece.size() > max_chars) return out + "...";
    out += piece;
    i += used;
  }
  return out;
}

std::string brief(const nlohmann::json& value, size_t max_chars) {
  return printable(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), max_chars);
}

}  // namespace fathom
