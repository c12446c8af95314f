/**
 * Legacy posthog-js (and SDKs without `elementsChainAsString`) send autocapture elements as a
 * `$elements` array; PostHog stores them as one `elements_chain` string. Format per element:
 * `tag.classA.classB:attr="value"…` with attributes sorted by key, elements joined by `;`.
 */

function escape(value: unknown): string {
  return String(value).replace(/"/g, '\\"');
}

function classesOf(el: Record<string, unknown>): string[] {
  const fromAttr = el.attr__class;
  const raw = Array.isArray(el.classes) ? el.classes : typeof fromAttr === 'string' ? fromAttr.split(/\s+/) : Array.isArray(fromAttr) ? fromAttr : [];
  return raw.filter((c): c is string => typeof c === 'string' && c.length > 0);
}

function elementToString(el: Record<string, unknown>): string {
  let out = typeof el.tag_name === 'string' ? el.tag_name : '';
  for (const cls of [...classesOf(el)].sort()) out += '.' + cls.replace(/"/g, '');
  const attributes: Record<string, unknown> = {
    'nth-child': el.nth_child ?? 0,
    'nth-of-type': el.nth_of_type ?? 0,
  };
  const text = el.$el_text ?? el.text;
  if (text) attributes.text = text;
  if (el.attr__href ?? el.href) attributes.href = el.attr__href ?? el.href;
  if (el.attr__id ?? el.attr_id) attributes.attr_id = el.attr__id ?? el.attr_id;
  for (const [key, value] of Object.entries(el)) {
    if (key.startsWith('attr__') && value !== null && value !== undefined) attributes[key] = value;
  }
  const pairs = Object.keys(attributes)
    .sort()
    .map((key) => `${escape(key)}="${escape(attributes[key])}"`);
  return `${out}:${pairs.join('')}`;
}

export function elementsToChain(elements: unknown[]): string {
  return elements
    .filter((el): el is Record<string, unknown> => typeof el === 'object' && el !== null && !Array.isArray(el))
    .map(elementToString)
    .join(';');
}
