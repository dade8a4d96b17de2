#include "workflow/expression.h"

#include <cctype>
#include <charconv>
#include <cstdint>

namespace ow::workflow {

struct Expression::Node {
  enum class Kind { kLiteral, kPath, kNot, kAnd, kOr, kCompare };
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe };
  Kind kind = Kind::kLiteral;
  Op op = Op::kEq;
  Value literal;
  std::string storage;            // a string literal's unescaped bytes
  std::vector<std::string> path;  // kPath: the field names
  int left = -1, right = -1;      // child node indexes
};

namespace {

using Node = Expression::Node;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Recursive descent over the body between `${` and `}`. Depth is bounded so that a
// hostile definition cannot exhaust the stack.
class Parser {
 public:
  Parser(std::string_view body, std::vector<Node>& nodes) : s_(body), nodes_(nodes) {}

  Result<int> ParseAll() {
    OW_ASSIGN_OR_RETURN(int root, ParseOr(0));
    SkipSpace();
    if (pos_ != s_.size()) return Fail("unexpected '" + std::string(1, s_[pos_]) + "'");
    return root;
  }

 private:
  static constexpr int kMaxDepth = 64;

  Error Fail(const std::string& what) const {
    return InvalidArgument(what + " at offset " + std::to_string(pos_) + " of the expression");
  }
  void SkipSpace() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool Eat(std::string_view token) {
    SkipSpace();
    if (s_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }
  int Add(Node n) {
    nodes_.push_back(std::move(n));
    return static_cast<int>(nodes_.size()) - 1;
  }

  Result<int> ParseOr(int depth) {
    if (depth > kMaxDepth) return Fail("expression nested too deeply");
    OW_ASSIGN_OR_RETURN(int left, ParseAnd(depth + 1));
    while (Eat("||")) {
      OW_ASSIGN_OR_RETURN(int right, ParseAnd(depth + 1));
      Node n;
      n.kind = Node::Kind::kOr;
      n.left = left;
      n.right = right;
      left = Add(std::move(n));
    }
    return left;
  }
  Result<int> ParseAnd(int depth) {
    OW_ASSIGN_OR_RETURN(int left, ParseUnary(depth + 1));
    while (Eat("&&")) {
      OW_ASSIGN_OR_RETURN(int right, ParseUnary(depth + 1));
      Node n;
      n.kind = Node::Kind::kAnd;
      n.left = left;
      n.right = right;
      left = Add(std::move(n));
    }
    return left;
  }
  Result<int> ParseUnary(int depth) {
    if (depth > kMaxDepth) return Fail("expression nested too deeply");
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == '!' && s_.substr(pos_, 2) != "!=") {
      ++pos_;
      OW_ASSIGN_OR_RETURN(int operand, ParseUnary(depth + 1));
      Node n;
      n.kind = Node::Kind::kNot;
      n.left = operand;
      return Add(std::move(n));
    }
    return ParseCompare(depth + 1);
  }
  Result<int> ParseCompare(int depth) {
    OW_ASSIGN_OR_RETURN(int left, ParsePrimary(depth + 1));
    static constexpr std::pair<std::string_view, Node::Op> kOps[] = {
        {"==", Node::Op::kEq}, {"!=", Node::Op::kNe}, {"<=", Node::Op::kLe},
        {">=", Node::Op::kGe}, {"<", Node::Op::kLt},  {">", Node::Op::kGt}};
    for (const auto& [token, op] : kOps) {
      if (!Eat(token)) continue;
      OW_ASSIGN_OR_RETURN(int right, ParsePrimary(depth + 1));
      Node n;
      n.kind = Node::Kind::kCompare;
      n.op = op;
      n.left = left;
      n.right = right;
      return Add(std::move(n));
    }
    return left;
  }
  Result<int> ParsePrimary(int depth) {
    SkipSpace();
    if (pos_ >= s_.size()) return Fail("expected a value");
    char c = s_[pos_];
    if (c == '(') {
      ++pos_;
      OW_ASSIGN_OR_RETURN(int inner, ParseOr(depth + 1));
      if (!Eat(")")) return Fail("expected ')'");
      return inner;
    }
    if (c == '\'' || c == '"') return ParseString(c);
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '.') return ParseNumber();
    if (IsNameStart(c)) return ParsePath();
    return Fail("unexpected '" + std::string(1, c) + "'");
  }
  Result<int> ParseString(char quote) {
    ++pos_;
    Node n;
    n.literal.type = Value::Type::kString;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      char c = s_[pos_++];
      if (c == '\\') {
        if (pos_ >= s_.size()) break;
        char e = s_[pos_++];
        switch (e) {
          case 'n':
            c = '\n';
            break;
          case 't':
            c = '\t';
            break;
          case '\\':
          case '\'':
          case '"':
            c = e;
            break;
          default:
            return Fail(std::string("unknown escape \\") + e);
        }
      }
      n.storage.push_back(c);
    }
    if (pos_ >= s_.size()) return Fail("unterminated string");
    ++pos_;
    return Add(std::move(n));
  }
  Result<int> ParseNumber() {
    size_t start = pos_;
    if (s_[pos_] == '-') ++pos_;
    while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) ||
                                s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E' ||
                                ((s_[pos_] == '+' || s_[pos_] == '-') &&
                                 (s_[pos_ - 1] == 'e' || s_[pos_ - 1] == 'E')))) {
      ++pos_;
    }
    Node n;
    n.literal.type = Value::Type::kNumber;
    std::string_view text = s_.substr(start, pos_ - start);
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n.literal.number);
    if (ec != std::errc() || end != text.data() + text.size()) {
      pos_ = start;
      return Fail("bad number '" + std::string(text) + "'");
    }
    return Add(std::move(n));
  }
  Result<int> ParsePath() {
    Node n;
    n.kind = Node::Kind::kPath;
    for (;;) {
      size_t start = pos_;
      while (pos_ < s_.size() && IsNameChar(s_[pos_])) ++pos_;
      n.path.emplace_back(s_.substr(start, pos_ - start));
      if (pos_ < s_.size() && s_[pos_] == '.' && pos_ + 1 < s_.size() &&
          IsNameStart(s_[pos_ + 1])) {
        ++pos_;
        continue;
      }
      break;
    }
    if (n.path.size() == 1) {
      const std::string& word = n.path[0];
      if (word == "true" || word == "false") {
        Node lit;
        lit.literal.type = Value::Type::kBool;
        lit.literal.boolean = word == "true";
        return Add(std::move(lit));
      }
      if (word == "null") return Add(Node{});
    }
    return Add(std::move(n));
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::vector<Node>& nodes_;
};

const char* TypeName(Value::Type t) {
  switch (t) {
    case Value::Type::kNull:
      return "null";
    case Value::Type::kBool:
      return "boolean";
    case Value::Type::kNumber:
      return "number";
    case Value::Type::kString:
      return "string";
  }
  return "?";
}

Value FromJson(const boost::json::value* v) {
  Value out;
  if (v == nullptr) return out;
  switch (v->kind()) {
    case boost::json::kind::bool_:
      out.type = Value::Type::kBool;
      out.boolean = v->get_bool();
      break;
    case boost::json::kind::int64:
      out.type = Value::Type::kNumber;
      out.number = static_cast<double>(v->get_int64());
      break;
    case boost::json::kind::uint64:
      out.type = Value::Type::kNumber;
      out.number = static_cast<double>(v->get_uint64());
      break;
    case boost::json::kind::double_:
      out.type = Value::Type::kNumber;
      out.number = v->get_double();
      break;
    case boost::json::kind::string:
      out.type = Value::Type::kString;
      out.string = v->get_string();
      break;
    default:
      break;  // objects and arrays are not comparable: they read as null
  }
  return out;
}

class Evaluator {
 public:
  Evaluator(const std::vector<Node>& nodes, const boost::json::object& vars, const Locals& locals)
      : nodes_(nodes), vars_(vars), locals_(locals) {}

  Result<Value> Eval(int index) const {
    const Node& n = nodes_[static_cast<size_t>(index)];
    switch (n.kind) {
      case Node::Kind::kLiteral: {
        Value v = n.literal;
        if (v.type == Value::Type::kString) v.string = n.storage;
        return v;
      }
      case Node::Kind::kPath:
        return Lookup(n.path);
      case Node::Kind::kNot: {
        OW_ASSIGN_OR_RETURN(bool b, Bool(n.left, "!"));
        Value v;
        v.type = Value::Type::kBool;
        v.boolean = !b;
        return v;
      }
      case Node::Kind::kAnd:
      case Node::Kind::kOr: {
        const char* op = n.kind == Node::Kind::kAnd ? "&&" : "||";
        OW_ASSIGN_OR_RETURN(bool left, Bool(n.left, op));
        Value v;
        v.type = Value::Type::kBool;
        if (left == (n.kind == Node::Kind::kOr)) {
          v.boolean = left;
          return v;
        }
        OW_ASSIGN_OR_RETURN(bool right, Bool(n.right, op));
        v.boolean = right;
        return v;
      }
      case Node::Kind::kCompare:
        return Compare(n);
    }
    return Internal("bad expression node");
  }

 private:
  Result<bool> Bool(int index, const char* op) const {
    OW_ASSIGN_OR_RETURN(Value v, Eval(index));
    if (v.type != Value::Type::kBool) {
      return InvalidArgument(std::string("operand of ") + op + " is a " + TypeName(v.type) +
                             ", not a boolean");
    }
    return v.boolean;
  }

  Value Lookup(const std::vector<std::string>& path) const {
    if (path.size() == 1) {
      for (const auto& [name, number] : locals_) {
        if (name == path[0]) {
          Value v;
          v.type = Value::Type::kNumber;
          v.number = number;
          return v;
        }
      }
    }
    const boost::json::object* obj = &vars_;
    const boost::json::value* v = nullptr;
    for (size_t i = 0; i < path.size(); ++i) {
      v = obj->if_contains(path[i]);
      if (v == nullptr) return {};
      if (i + 1 < path.size()) {
        obj = v->if_object();
        if (obj == nullptr) return {};
      }
    }
    return FromJson(v);
  }

  Result<Value> Compare(const Node& n) const {
    OW_ASSIGN_OR_RETURN(Value a, Eval(n.left));
    OW_ASSIGN_OR_RETURN(Value b, Eval(n.right));
    Value out;
    out.type = Value::Type::kBool;
    if (n.op == Node::Op::kEq || n.op == Node::Op::kNe) {
      bool eq = a.type == b.type;
      if (eq) {
        switch (a.type) {
          case Value::Type::kNull:
            break;
          case Value::Type::kBool:
            eq = a.boolean == b.boolean;
            break;
          case Value::Type::kNumber:
            eq = a.number == b.number;
            break;
          case Value::Type::kString:
            eq = a.string == b.string;
            break;
        }
      }
      out.boolean = (n.op == Node::Op::kEq) == eq;
      return out;
    }
    int cmp = 0;
    if (a.type == Value::Type::kNumber && b.type == Value::Type::kNumber) {
      cmp = a.number < b.number ? -1 : (a.number > b.number ? 1 : 0);
    } else if (a.type == Value::Type::kString && b.type == Value::Type::kString) {
      cmp = a.string.compare(b.string);
    } else {
      return InvalidArgument(std::string("cannot order a ") + TypeName(a.type) + " and a " +
                             TypeName(b.type));
    }
    switch (n.op) {
      case Node::Op::kLt:
        out.boolean = cmp < 0;
        break;
      case Node::Op::kLe:
        out.boolean = cmp <= 0;
        break;
      case Node::Op::kGt:
        out.boolean = cmp > 0;
        break;
      case Node::Op::kGe:
        out.boolean = cmp >= 0;
        break;
      default:
        break;
    }
    return out;
  }

  const std::vector<Node>& nodes_;
  const boost::json::object& vars_;
  const Locals& locals_;
};

}  // namespace

bool LooksLikeExpression(std::string_view text) {
  text = Trim(text);
  return text.size() >= 3 && text.substr(0, 2) == "${" && text.back() == '}';
}

Result<Expression> Expression::Parse(std::string_view text) {
  std::string_view t = Trim(text);
  if (!LooksLikeExpression(t)) return InvalidArgument("an expression must be written ${ ... }");
  auto nodes = std::make_shared<std::vector<Node>>();
  Parser parser(t.substr(2, t.size() - 3), *nodes);
  OW_ASSIGN_OR_RETURN(int root, parser.ParseAll());
  // Evaluation starts at back(): make sure the root is last (a parenthesised or
  // single-node expression already is; otherwise add an explicit copy).
  if (root != static_cast<int>(nodes->size()) - 1)
    nodes->push_back((*nodes)[static_cast<size_t>(root)]);
  Expression e;
  e.text_ = std::string(t);
  e.nodes_ = std::move(nodes);
  return e;
}

Result<Value> Expression::Evaluate(const boost::json::object& variables,
                                   const Locals& locals) const {
  Evaluator ev(*nodes_, variables, locals);
  auto v = ev.Eval(static_cast<int>(nodes_->size()) - 1);
  if (!v) return InvalidArgument("expression " + text_ + ": " + v.error().message);
  return v;
}

Result<bool> Expression::EvaluateBool(const boost::json::object& variables,
                                      const Locals& locals) const {
  OW_ASSIGN_OR_RETURN(Value v, Evaluate(variables, locals));
  if (v.type != Value::Type::kBool) {
    return InvalidArgument("expression " + text_ + " gives a " + TypeName(v.type) +
                           ", not a boolean");
  }
  return v.boolean;
}

}  // namespace ow::workflow
