#include "models/training/pipeline_layout.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "models/schedule/registry.h"
#include "models/training/stage_plan.h"

namespace fathom::models::training {
namespace {

// The flattened layout may hold at most this many symbols and separators: a bound against "t*999999999"
// (DeepSeek-V3 at PP16 VP2 needs 95).
constexpr size_t kMaxExpanded = 1'000'000;

bool is_symbol(char c) { return c == 'E' || c == 't' || c == 'm' || c == 'L' || c == '|'; }

// Recursive descent over `text` (positions reported from 1): seq := item*; item := atom ('*' count)?;
// atom := symbol | '|' | '(' seq ')'. Commas are skipped.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  std::string expand() {
    std::string out = sequence();
    if (pos_ < text_.size()) fail(fmt::format("unbalanced parenthesis: ')' at character {} closes nothing", pos_ + 1));
    return out;
  }

 private:
  [[noreturn]] static void fail(const std::string& what) { throw std::invalid_argument(what); }

  void skip_commas() {
    while (pos_ < text_.size() && text_[pos_] == ',') ++pos_;
  }

  // Items up to the end or up to a ')' (the caller checks which one it needs).
  std::string sequence() {
    std::string out;
    while (true) {
      skip_commas();
      if (pos_ >= text_.size() || text_[pos_] == ')') return out;
      const size_t at = pos_;
      std::string atom;
      const char c = text_[pos_];
      if (c == '(') {
        ++pos_;
        atom = sequence();
        if (pos_ >= text_.size())
          fail(fmt::format("unbalanced parenthesis: '(' at character {} is not closed", at + 1));
        if (atom.empty()) fail(fmt::format("empty group '()' at character {}", at + 1));
        ++pos_;  // ')'
      } else if (is_symbol(c)) {
        atom = std::string(1, c);
        ++pos_;
      } else if (c == '*') {
        fail(fmt::format("bad repeat count: '*' at character {} follows no symbol or group", at + 1));
      } else {
        fail(fmt::format("unknown symbol '{}' at character {} (E, t, m, L, '|', '(', ')', '*N', ',')", c, at + 1));
      }
      size_t count = 1;
      if (pos_ < text_.size() && text_[pos_] == '*') count = repeat_count();
      if (out.size() + atom.size() * count > kMaxExpanded) {
        fail(fmt::format("bad repeat count: the layout expands to more than {} symbols", kMaxExpanded));
      }
      for (size_t k = 0; k < count; ++k) out += atom;
    }
  }

  // After '*': a decimal count >= 1.
  size_t repeat_count() {
    const size_t star = pos_++;
    size_t digits = 0, count = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      count = count * 10 + size_t(text_[pos_] - '0');
      ++pos_, ++digits;
      if (count > kMaxExpanded) fail(fmt::format("bad repeat count at character {}: above {}", star + 1, kMaxExpanded));
    }
    if (digits == 0) fail(fmt::format("bad repeat count: '*' at character {} is not followed by a number", star + 1));
    if (count == 0) fail(fmt::format("bad repeat count at character {}: *0 (a count is at least 1)", star + 1));
    return count;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

PipelineLayout parse_pipeline_layout(std::string_view text) {
  if (text.empty()) throw std::invalid_argument("empty layout (leave the key out for the min-max partition)");
  const std::string flat = Parser(text).expand();
  PipelineLayout out;
  out.text = std::string(text);
  out.stages.emplace_back();
  int embeddings = 0, heads = 0;
  bool seen_mtp = false;
  for (size_t i = 0; i < flat.size(); ++i) {
    const char c = flat[i];
    if (c == '|') {
      out.stages.emplace_back();
      continue;
    }
    LayoutStage& st = out.stages.back();
    const bool first_symbol = out.stages.size() == 1 && !st.embedding && st.layers == 0 && st.mtp == 0 && !st.head;
    if (c == 'L' && heads > 0) throw std::invalid_argument("L (the loss) appears more than once");
    if (heads > 0) throw std::invalid_argument(fmt::format("'{}' after L: L (the loss) must be the last symbol", c));
    switch (c) {
      case 'E':
        if (++embeddings > 1) throw std::invalid_argument("E (the embedding) appears more than once");
        if (!first_symbol) throw std::invalid_argument("E (the embedding) must be the first symbol, in stage 0");
        st.embedding = true;
        break;
      case 't':
        if (seen_mtp) throw std::invalid_argument("a decoder layer t after an MTP layer m (model order: E, t, m, L)");
        ++st.layers;
        break;
      case 'm':
        seen_mtp = true;
        ++st.mtp;
        break;
      case 'L':
        ++heads;
        st.head = true;
        break;
    }
  }
  if (embeddings == 0) throw std::invalid_argument("no E (the embedding must be the first symbol, in stage 0)");
  if (heads == 0) throw std::invalid_argument("no L (the loss must be the last symbol, in the last stage)");
  if (!out.stages.back().head) {
    throw std::invalid_argument("L (the loss) must be in the last stage (a '|' follows it)");
  }
  return out;
}

std::optional<std::string> pipeline_layout_mismatch(const PipelineLayout& layout, std::string_view schedule, int stages,
                                                    int64_t pp, int64_t virtual_stages, int64_t layers,
                                                    int64_t mtp_layers) {
  if (schedule::schedule_traits(schedule).v_shape) {
    std::vector<std::string> placed;  // the schedules that put stage i on rank i mod pp
    for (const auto& e : schedule::schedule_registry().entries()) {
      if (!e.make.traits.v_shape) placed.push_back(e.name);
    }
    const std::string last = placed.back();
    placed.pop_back();
    return fmt::format(
        "{} runs 2 x pp stages in a V (rank r holds stages r and 2pp-1-r), not Megatron-LM's stage i on rank "
        "i mod pp; a layout applies to {} and {}",
        schedule, fmt::join(placed, ", "), last);
  }
  const int64_t n = std::ssize(layout.stages);
  if (n != stages) {
    return fmt::format("{} stages, but pp {} x virtual_stages {} = {} ({})", n, pp, virtual_stages, stages, schedule);
  }
  int64_t t = 0, m = 0;
  for (const LayoutStage& s : layout.stages) t += s.layers, m += s.mtp;
  if (t != layers) return fmt::format("{} decoder layers (t), but the model has {}", t, layers);
  if (m != mtp_layers) {
    return mtp_layers == 0 ? fmt::format("{} MTP layers (m), but the model runs none (model.mtp is off)", m)
                           : fmt::format("{} MTP layers (m), but the model has {}", m, mtp_layers);
  }
  return std::nullopt;
}

std::vector<Stage> layout_stages(const std::vector<BlockCost>& blocks, const PipelineLayout& layout) {
  const BlockCost* embedding = nullptr;
  const BlockCost* head = nullptr;
  std::vector<const BlockCost*> layers, mtp;
  for (const BlockCost& b : blocks) {
    switch (b.kind) {
      case BlockKind::embedding:
        embedding = &b;
        break;
      case BlockKind::layer:
        layers.push_back(&b);
        break;
      case BlockKind::mtp:
        mtp.push_back(&b);
        break;
      case BlockKind::head:
        head = &b;
        break;
    }
  }
  std::vector<Stage> out;
  size_t next_layer = 0, next_mtp = 0;
  for (const LayoutStage& ls : layout.stages) {
    Stage st;
    if (ls.embedding) {
      if (!embedding) throw std::logic_error("layout_stages: the blocks have no embedding");
      st.blocks.push_back(*embedding);
    }
    if (next_layer + size_t(ls.layers) > layers.size() || next_mtp + size_t(ls.mtp) > mtp.size()) {
      throw std::logic_error("layout_stages: the layout holds more layers than the blocks");
    }
    st.first_layer = next_layer < layers.size() ? layers[next_layer]->layer : int64_t(layers.size());
    for (int64_t k = 0; k < ls.layers; ++k) st.blocks.push_back(*layers[next_layer++]);
    st.last_layer = st.first_layer + ls.layers - 1;
    for (int64_t k = 0; k < ls.mtp; ++k) st.blocks.push_back(*mtp[next_mtp++]);
    if (ls.head) {
      if (!head) throw std::logic_error("layout_stages: the blocks have no head");
      st.blocks.push_back(*head);
    }
    out.push_back(std::move(st));
  }
  if (next_layer != layers.size() || next_mtp != mtp.size()) {
    throw std::logic_error("layout_stages: the layout holds fewer layers than the blocks");
  }
  return out;
}

std::string layout_of(const std::vector<Stage>& stages) {
  std::string out;
  for (size_t s = 0; s < stages.size(); ++s) {
    if (s > 0) out += '|';
    for (const BlockCost& b : stages[s].blocks) {
      switch (b.kind) {
        case BlockKind::embedding:
          out += 'E';
          break;
        case BlockKind::layer:
          out += 't';
          break;
        case BlockKind::mtp:
          out += 'm';
          break;
        case BlockKind::head:
          out += 'L';
          break;
      }
    }
  }
  return out;
}

}  // namespace fathom::models::training
