// The QRS filter language (spec §2.4): parse once, then test entities; parse errors carry Qlik's 400 text.
import { FilterSyntaxError } from "./lexer";
import { checkProperties, compileFilter } from "./evaluate";
import { parseFilter, type FilterNode } from "./parser";

export { FilterSyntaxError } from "./lexer";
export { parseFilter, OPERATORS, type FilterNode, type FilterValue, type Operator } from "./parser";
export { checkProperties, compileFilter, ENUMS, filterProperties, isoDateMs, valuesAt } from "./evaluate";
export { filterId, filterIds, filterRange, type Range } from "./range";

/** Filters `entities` by a (percent-decoded) filter expression; throws FilterSyntaxError on bad input. */
export function applyFilter<T>(entities: readonly T[], expression: string): T[] {
  const tree: FilterNode = parseFilter(expression);
  checkProperties(tree, entities);
  const test = compileFilter(tree);
  return entities.filter(test);
}

/** The body QRS sends with its 400 for an expression it cannot parse. */
export function filterErrorText(err: unknown): string {
  const why = err instanceof FilterSyntaxError ? err.message : String(err);
  return `Cannot parse the expression: ${why}`;
}
