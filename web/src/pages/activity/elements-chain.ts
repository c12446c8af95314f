/**
 * PostHog's `elements_chain`: the autocaptured element and its ancestors, innermost first, as
 * `tag.class1.class2:attr="value"attr2="value";parent…` (quotes inside values escaped as \").
 */
export interface ChainElement {
  tag: string;
  classes: string[];
  text: string | null;
  href: string | null;
  /** Every attribute as written (nth-child, attr__id, …), including text and href. */
  attributes: Array<[string, string]>;
}

/** Splits on `;` outside quoted values. */
function splitElements(chain: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < chain.length; i++) {
    const ch = chain[i]!;
    if (ch === '\\' && quoted && i + 1 < chain.length) {
      current += ch + chain[++i];
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === ';' && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  if (current) parts.push(current);
  return parts.filter((p) => p.trim() !== '');
}

export function parseElementsChain(chain: string | null | undefined): ChainElement[] {
  if (!chain) return [];
  return splitElements(chain).map((part) => {
    // The selector part ends at the first ':' that starts the attributes (`key="`).
    const attrStart = part.search(/:[\w$-]+="/);
    const selector = attrStart >= 0 ? part.slice(0, attrStart) : part.replace(/:$/, '');
    const attrText = attrStart >= 0 ? part.slice(attrStart + 1) : '';
    const [tag = '', ...classes] = selector.split('.');
    const attributes: Array<[string, string]> = [];
    for (const m of attrText.matchAll(/([\w$-]+)="((?:\\.|[^"\\])*)"/g)) attributes.push([m[1]!, m[2]!.replace(/\\(.)/g, '$1')]);
    const attr = (name: string) => attributes.find(([k]) => k === name)?.[1] ?? null;
    return { tag, classes: classes.filter(Boolean), text: attr('text'), href: attr('href') ?? attr('attr__href'), attributes };
  });
}
