// The condition language of process definitions (workflow/expression.h): parsing any
// text, and evaluating what parses against fuzzed variables and the multi-instance
// locals. Input: "expression\n%%\nvariables JSON" (the variables part is optional).
#include "fuzz_util.h"
#include "workflow/expression.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [text, vars_text] = ow::fuzz::SplitTwo(ow::fuzz::AsText(data, size));
  (void)ow::workflow::LooksLikeExpression(text);
  auto expr = ow::workflow::Expression::Parse(text);
  if (!expr) return 0;
  boost::json::value vars = ow::fuzz::ParseOrNull(vars_text);
  boost::json::object variables;
  if (vars.is_object()) variables = vars.as_object();
  ow::workflow::Locals locals = {{"nrOfInstances", 3}, {"nrOfCompletedInstances", 1}};
  (void)expr->Evaluate(variables);
  (void)expr->EvaluateBool(variables, locals);
  // A copy shares the parsed nodes and must evaluate the same.
  ow::workflow::Expression copy = *expr;
  (void)copy.EvaluateBool(variables);
  return 0;
}
