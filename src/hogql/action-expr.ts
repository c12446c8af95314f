import { HogQLError, type Expr } from './ast.js';
import type { Action, ActionStep } from '../metadata/actions.js';
import { elementFilterExpr, propertiesToExpr, type FilterContext } from './property-filters.js';
import { containsPattern } from '../like-pattern.js';

/**
 * An action as a HogQL condition on events, as PostHog's `action_to_expr`: any step (OR), each step
 * all of its conditions (AND): event name, `$current_url` (contains by default, exact or regex),
 * element text/href/tag of the autocapture chain, and property filters.
 */
export function actionToExpr(action: Action, ctx: Pick<FilterContext, 'propertyType'>): Expr {
  if (action.steps.length === 0) return { node: 'Constant', value: false };
  const steps = action.steps.map((step) => stepToExpr(step, ctx));
  return steps.length === 1 ? steps[0]! : { node: 'Or', exprs: steps };
}

function matching(field: Expr, value: string, how: 'contains' | 'regex' | 'exact' | null | undefined): Expr {
  if (how === 'exact') return { node: 'CompareOperation', op: '==', left: field, right: { node: 'Constant', value } };
  if (how === 'regex') return { node: 'CompareOperation', op: '=~', left: field, right: { node: 'Constant', value } };
  return { node: 'CompareOperation', op: 'like', left: field, right: { node: 'Constant', value: containsPattern(value) } };
}

function stepToExpr(step: ActionStep, ctx: Pick<FilterContext, 'propertyType'>): Expr {
  const parts: Expr[] = [];
  if (step.event) parts.push({ node: 'CompareOperation', op: '==', left: { node: 'Field', chain: ['event'] }, right: { node: 'Constant', value: step.event } });
  if (step.url) parts.push(matching({ node: 'Field', chain: ['properties', '$current_url'] }, step.url, step.url_matching));
  if (step.selector) throw new HogQLError('query', 'action steps with a CSS selector are not supported yet');
  if (step.tag_name) parts.push(elementFilterExpr('tag_name', 'exact', [step.tag_name]));
  for (const key of ['text', 'href'] as const) {
    const value = step[key];
    if (!value) continue;
    const how = step[`${key}_matching`] ?? 'exact';
    parts.push(elementFilterExpr(key, how === 'contains' ? 'icontains' : how === 'regex' ? 'regex' : 'exact', [value]));
  }
  if (step.properties) parts.push(propertiesToExpr(step.properties, { scope: 'events', propertyType: ctx.propertyType }));
  if (parts.length === 0) return { node: 'Constant', value: true };
  return parts.length === 1 ? parts[0]! : { node: 'And', exprs: parts };
}
