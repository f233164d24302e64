#include <zhaoyin/render/template.h>

#include <set>
#include <string_view>
#include <vector>

namespace zhaoyin::render {

namespace {

constexpr const char* kTrustedKey = "$trusted";
// Partials may include partials; a cycle would otherwise recurse until the
// stack runs out while serving a request.
constexpr int kMaxPartialDepth = 32;

enum class NodeKind { Text, Value, Section, Inverted, Partial };

struct Node {
  NodeKind kind = NodeKind::Text;
  std::string text;  // literal text, or the tag's name
  std::vector<Node> children;
};

struct Parsed {
  std::vector<Node> nodes;
};

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

bool valid_name(const std::string& name) {
  if (name.empty()) return false;
  if (name == ".") return true;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || c == '.' || c == '/' || c == '$';
    if (!ok) return false;
  }
  return name.front() != '.' && name.back() != '.' && name.find("..") == std::string::npos;
}

class Parser {
 public:
  Parser(std::string name, const std::string& text) : name_(std::move(name)), text_(text) {}

  Parsed parse() {
    Parsed out;
    struct Open {
      Node* node;
      int line;
    };
    std::vector<Node>* current = &out.nodes;
    std::vector<Open> open;
    std::vector<std::vector<Node>*> containers{&out.nodes};
    std::size_t pos = 0;
    while (pos < text_.size()) {
      const auto start = text_.find("{{", pos);
      if (start == std::string::npos) {
        add_text(*current, text_.substr(pos));
        break;
      }
      add_text(*current, text_.substr(pos, start - pos));
      const int line = line_at(start);
      const auto end = text_.find("}}", start + 2);
      if (end == std::string::npos) fail(line, "a tag opened with {{ is never closed with }}");
      std::string_view inner(text_.data() + start + 2, end - start - 2);
      pos = end + 2;
      if (inner.empty()) fail(line, "empty tag {{}}");
      const char sigil = inner.front();
      if (sigil == '!') continue;  // comment
      if (sigil == '{' || sigil == '&')
        fail(line, "unescaped output ({{{ or {{&) is not supported; pass a Templates::trusted value");
      if (sigil == '=') fail(line, "changing delimiters is not supported");
      const bool has_sigil = sigil == '#' || sigil == '^' || sigil == '/' || sigil == '>';
      const std::string tag = trim(has_sigil ? inner.substr(1) : inner);
      if (!valid_name(tag)) fail(line, "invalid name '" + std::string(inner) + "' in a tag");
      switch (sigil) {
        case '#':
        case '^': {
          current->push_back(Node{sigil == '#' ? NodeKind::Section : NodeKind::Inverted, tag, {}});
          open.push_back({&current->back(), line});
          current = &current->back().children;
          containers.push_back(current);
          break;
        }
        case '/': {
          if (open.empty()) fail(line, "{{/" + tag + "}} closes a section that was never opened");
          if (open.back().node->text != tag)
            fail(line, "{{/" + tag + "}} does not close {{#" + open.back().node->text + "}} opened on line " +
                           std::to_string(open.back().line));
          open.pop_back();
          containers.pop_back();
          current = containers.back();
          break;
        }
        case '>':
          current->push_back(Node{NodeKind::Partial, tag, {}});
          break;
        default:
          current->push_back(Node{NodeKind::Value, tag, {}});
      }
    }
    if (!open.empty())
      fail(open.back().line, "section {{#" + open.back().node->text + "}} is never closed");
    return out;
  }

 private:
  // Adding children to a vector may move it; the parser keeps pointers to
  // Nodes in `open`, so section nodes are appended only to the innermost
  // container, whose elements are never moved while the section is open.
  static void add_text(std::vector<Node>& into, std::string_view text) {
    if (text.empty()) return;
    if (!into.empty() && into.back().kind == NodeKind::Text) {
      into.back().text += text;
      return;
    }
    into.push_back(Node{NodeKind::Text, std::string(text), {}});
  }

  int line_at(std::size_t offset) const {
    int line = 1;
    for (std::size_t i = 0; i < offset && i < text_.size(); ++i)
      if (text_[i] == '\n') ++line;
    return line;
  }

  [[noreturn]] void fail(int line, const std::string& message) const {
    throw TemplateError("template '" + name_ + "' line " + std::to_string(line) + ": " + message);
  }

  std::string name_;
  const std::string& text_;
};

void escape_into(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
}

bool is_trusted(const nlohmann::json& v) {
  return v.is_object() && v.size() == 1 && v.contains(kTrustedKey) && v[kTrustedKey].is_string();
}

bool truthy(const nlohmann::json& v) {
  if (v.is_null()) return false;
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_array() || v.is_object() || v.is_string()) return !v.empty() && !(v.is_string() && v.get_ref<const std::string&>().empty());
  if (v.is_number_integer() || v.is_number_unsigned()) return v.get<long long>() != 0;
  if (v.is_number_float()) return v.get<double>() != 0.0;
  return true;
}

}  // namespace

struct Templates::Impl {
  std::map<std::string, Parsed> templates;

  using Stack = std::vector<const nlohmann::json*>;

  // Looks `name` up: "." is the innermost context; otherwise the first part of
  // a dotted name is searched from the innermost context outward to the root,
  // and the remaining parts are followed from there.
  static const nlohmann::json* lookup(const Stack& stack, const std::string& name) {
    if (name == ".") return stack.back();
    const auto dot = name.find('.');
    const std::string head = name.substr(0, dot);
    const nlohmann::json* found = nullptr;
    for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
      const nlohmann::json& ctx = **it;
      if (ctx.is_object() && !is_trusted(ctx)) {
        const auto f = ctx.find(head);
        if (f != ctx.end()) {
          found = &*f;
          break;
        }
      }
    }
    if (!found || dot == std::string::npos) return found;
    std::size_t pos = dot + 1;
    while (found) {
      const auto next = name.find('.', pos);
      const std::string part = name.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
      if (!found->is_object()) return nullptr;
      const auto f = found->find(part);
      found = f == found->end() ? nullptr : &*f;
      if (next == std::string::npos) break;
      pos = next + 1;
    }
    return found;
  }

  static void emit(std::string& out, const nlohmann::json& v) {
    if (v.is_null()) return;
    if (v.is_string()) return escape_into(out, v.get_ref<const std::string&>());
    if (is_trusted(v)) {
      out += v[kTrustedKey].get_ref<const std::string&>();
      return;
    }
    escape_into(out, v.dump());  // numbers, booleans; arrays/objects as JSON text
  }

  void render_nodes(std::string& out, const std::vector<Node>& nodes, Stack& stack, int depth) const {
    for (const Node& n : nodes) {
      switch (n.kind) {
        case NodeKind::Text:
          out += n.text;
          break;
        case NodeKind::Value:
          if (const auto* v = lookup(stack, n.text)) emit(out, *v);
          break;
        case NodeKind::Section: {
          const auto* v = lookup(stack, n.text);
          if (!v || !truthy(*v)) break;
          if (v->is_array()) {
            for (const auto& element : *v) {
              stack.push_back(&element);
              render_nodes(out, n.children, stack, depth);
              stack.pop_back();
            }
          } else if (v->is_boolean()) {
            render_nodes(out, n.children, stack, depth);
          } else {
            stack.push_back(v);
            render_nodes(out, n.children, stack, depth);
            stack.pop_back();
          }
          break;
        }
        case NodeKind::Inverted: {
          const auto* v = lookup(stack, n.text);
          if (!v || !truthy(*v)) render_nodes(out, n.children, stack, depth);
          break;
        }
        case NodeKind::Partial: {
          const auto it = templates.find(n.text);
          if (it == templates.end()) throw TemplateError("unknown partial '" + n.text + "'");
          if (depth >= kMaxPartialDepth)
            throw TemplateError("partial '" + n.text + "' nested deeper than " + std::to_string(kMaxPartialDepth) +
                                " levels (a cycle?)");
          render_nodes(out, it->second.nodes, stack, depth + 1);
          break;
        }
      }
    }
  }

  static void partials_of(const std::vector<Node>& nodes, std::vector<std::string>& into) {
    for (const Node& n : nodes) {
      if (n.kind == NodeKind::Partial) into.push_back(n.text);
      partials_of(n.children, into);
    }
  }
};

Templates::Templates() : impl_(std::make_unique<Impl>()) {}
Templates::~Templates() = default;
Templates::Templates(Templates&&) noexcept = default;
Templates& Templates::operator=(Templates&&) noexcept = default;

void Templates::add(const std::string& name, const std::string& text) {
  impl_->templates[name] = Parser(name, text).parse();
}

void Templates::check_partials() const {
  for (const auto& [name, parsed] : impl_->templates) {
    std::vector<std::string> used;
    Impl::partials_of(parsed.nodes, used);
    for (const auto& p : used)
      if (!impl_->templates.count(p))
        throw TemplateError("template '" + name + "' includes {{> " + p + "}}, which is not a template");
  }
}

std::string Templates::render(const std::string& name, const nlohmann::json& data) const {
  const auto it = impl_->templates.find(name);
  if (it == impl_->templates.end()) throw TemplateError("no template named '" + name + "'");
  std::string out;
  out.reserve(4096);
  Impl::Stack stack{&data};
  impl_->render_nodes(out, it->second.nodes, stack, 0);
  return out;
}

nlohmann::json Templates::trusted(std::string html) { return nlohmann::json{{kTrustedKey, std::move(html)}}; }

}  // namespace zhaoyin::render
