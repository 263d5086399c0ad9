/** Eligibility rules: JsonLogic validated at upsert, compiled to closures once per catalogue version. */
export { compileRule, compileRules, compileExpr, RuleError } from "./compile";
export { validateRule, type RuleFault, type RuleFaultKind } from "./validate";
export { ruleSignals, isContextual, type RuleSignals } from "./signals";
export { PREDICATES, installPredicates, type Predicate } from "./predicates";
export { truthy } from "./operators";
export { VAR_ROOTS, type Gates, type RuleContext, type RuleData } from "./data";
