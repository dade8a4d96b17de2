// The condition language of process definitions: small, safe, parsed once at load time.
//
// An expression is written the way Camunda Modeler writes JUEL, `${ ... }`, but only this
// grammar is understood (no method calls, no assignment, no arithmetic, nothing that can
// loop or reach outside the variables it is given):
//
//   expr    := or
//   or      := and ( "||" and )*
//   and     := unary ( "&&" unary )*
//   unary   := "!" unary | compare
//   compare := primary ( ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) primary )?
//   primary := number | string | "true" | "false" | "null" | path | "(" or ")"
//   number  := decimal, optional fraction and exponent (123, 1.5, 2e3)
//   string  := '...' or "..." with backslash escapes \\ \' \" \n \t
//   path    := name ( "." name )*      name := [A-Za-z_][A-Za-z0-9_]*
//
// Semantics: a path looks up nested fields of the variables (a JSON object); a missing field
// is null. `==` and `!=` compare any two values (values of different types are unequal;
// numbers compare as doubles). `<` `<=` `>` `>=` need two numbers or two strings (strings
// compare bytewise). `!`, `&&`, `||` need booleans and short-circuit. Anything else is an
// evaluation error, so a typo in a form field shows up as an error, not a silent `false`.
//
// Thread safety: an Expression is immutable after Parse and may be shared across threads.
#ifndef OW_WORKFLOW_EXPRESSION_H_
#define OW_WORKFLOW_EXPRESSION_H_

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace ow::workflow {

// The value of an evaluated (sub)expression. Strings point into the expression or the
// variables evaluated against, so a Value lives no longer than both.
struct Value {
  enum class Type { kNull, kBool, kNumber, kString };
  Type type = Type::kNull;
  bool boolean = false;
  double number = 0;
  std::string_view string;
};

// Extra names visible to an expression beside the variables, looked up first: the engine
// passes the multi-instance counters (nrOfInstances, nrOfCompletedInstances,
// nrOfActiveInstances) this way. Not owned.
using Locals = std::vector<std::pair<std::string_view, double>>;

class Expression {
 public:
  // Parses `text`, which must be `${ ... }` (surrounding whitespace allowed).
  // kInvalidArgument with the offending position on a syntax error.
  static Result<Expression> Parse(std::string_view text);

  // Evaluates against `variables` (and `locals`, which shadow variables of the same name).
  // kInvalidArgument on a type error (see above).
  Result<Value> Evaluate(const boost::json::object& variables, const Locals& locals = {}) const;
  // Evaluate, then require a boolean.
  Result<bool> EvaluateBool(const boost::json::object& variables, const Locals& locals = {}) const;

  // The source text, as given to Parse.
  const std::string& text() const { return text_; }

  struct Node;

 private:
  std::string text_;
  std::shared_ptr<const std::vector<Node>> nodes_;  // nodes_->back() is the root
};

// True when `text` (trimmed) starts with `${` and ends with `}`: an expression, not a literal.
bool LooksLikeExpression(std::string_view text);

}  // namespace ow::workflow

#endif  // OW_WORKFLOW_EXPRESSION_H_
