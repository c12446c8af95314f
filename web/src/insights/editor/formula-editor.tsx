import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { formulaNodesOf, type FormulaNode, type InsightQuery, seriesLetter, withFormulas } from '../query.js';

type Change = (query: InsightQuery) => void;

/**
 * Trends "Formula mode": arithmetic over the series letters (`A / B * 100`), one or more formulas,
 * each with an optional name. The chart then shows the formulas instead of the raw series. A formula
 * is sent when the box is left or Enter is pressed (not on each keystroke), and the server is the
 * one judge of it: a formula it refuses shows its message under that formula (and where the chart
 * would be).
 */
export function FormulaEditor({ query, onChange, error }: { query: InsightQuery; onChange: Change; error?: Error }) {
  // The server names the formula it refuses: `trendsFilter.formula "<formula>": <why>`.
  const refused = error ? /^trendsFilter\.formula "(.*)": (.*)$/s.exec(error.message) : null;
  const nodes = formulaNodesOf(query.trendsFilter);
  // Formula mode switched on but no formula typed yet: nothing to send, so it lives here, not in the URL.
  const [pending, setPending] = useState(false);
  const on = nodes.length > 0 || pending;
  const letters = (query.series ?? []).map((_, i) => seriesLetter(i));
  const rows: Array<FormulaNode | null> = [...nodes, ...(pending || nodes.length === 0 ? [null] : [])];
  const save = (next: FormulaNode[]) => onChange(withFormulas(query, next));

  return (
    <div className="formula-editor">
      <label className="switch">
        <input
          type="checkbox"
          role="switch"
          checked={on}
          onChange={(e) => {
            setPending(e.target.checked && nodes.length === 0);
            if (!e.target.checked && nodes.length) save([]);
          }}
        />
        Formula mode
      </label>
      {on && (
        <>
          <ol className="formula-rows">
            {rows.map((node, i) => (
              <FormulaRow
                key={node ? `${i}:${node.formula}:${node.custom_name ?? ''}` : `new-${i}`}
                index={i}
                single={rows.length === 1}
                node={node}
                autoFocus={node === null && pending}
                problem={node && refused && node.formula.slice(0, 200) === refused[1] ? refused[2] : undefined}
                onCommit={(next) => {
                  if (node === null) {
                    if (!next) return;
                    setPending(false);
                    save([...nodes, next]);
                  } else save(next ? nodes.map((n, k) => (k === i ? next : n)) : nodes.filter((_, k) => k !== i));
                }}
                onRemove={
                  node === null
                    ? nodes.length
                      ? () => setPending(false)
                      : undefined
                    : () => save(nodes.filter((_, k) => k !== i))
                }
              />
            ))}
          </ol>
          {!pending && nodes.length > 0 && (
            <button type="button" className="button button-small" onClick={() => setPending(true)}>
              + Add formula
            </button>
          )}
          <p className="muted small" id="formula-help">
            Use the series letters ({letters.join(', ') || 'A'}), numbers and + - * / ( ), e.g. {letters.length > 1 ? `${letters[0]} / ${letters[1]} * 100` : '(A + B) / 2'}.
          </p>
        </>
      )}
    </div>
  );
}

function FormulaRow({
  index,
  single,
  node,
  autoFocus,
  problem,
  onCommit,
  onRemove,
}: {
  index: number;
  single: boolean;
  node: FormulaNode | null;
  autoFocus: boolean;
  /** Why the server refused this formula. */
  problem?: string;
  /** null: the formula was cleared. */
  onCommit: (node: FormulaNode | null) => void;
  onRemove?: () => void;
}) {
  const [formula, setFormula] = useState(node?.formula ?? '');
  const [name, setName] = useState(node?.custom_name ?? '');
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (autoFocus) inputRef.current?.focus();
  }, [autoFocus]);
  const label = single ? 'Formula' : `Formula ${index + 1}`;
  const commit = () => {
    const f = formula.trim();
    const n = name.trim();
    if (f === (node?.formula ?? '') && n === (node?.custom_name ?? '')) return;
    onCommit(f ? { formula: f, ...(n ? { custom_name: n } : {}) } : null);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      commit();
    }
  };
  return (
    <li className="formula-row">
      <span className="series-badge formula-badge" aria-hidden="true">
        ƒ
      </span>
      <input
        ref={inputRef}
        className="input mono formula-input"
        aria-label={label}
        aria-describedby={problem ? `formula-${index}-problem formula-help` : 'formula-help'}
        aria-invalid={problem ? true : undefined}
        placeholder="e.g. A / B * 100"
        spellCheck={false}
        autoComplete="off"
        value={formula}
        onChange={(e) => setFormula(e.target.value)}
        onBlur={commit}
        onKeyDown={onKeyDown}
      />
      <input className="input input-small formula-name" aria-label={`${label} name`} placeholder="Name (optional)" value={name} onChange={(e) => setName(e.target.value)} onBlur={commit} onKeyDown={onKeyDown} />
      {onRemove && (
        <button type="button" className="button button-small" onClick={onRemove} aria-label={`Remove ${label.toLowerCase()}`}>
          Remove
        </button>
      )}
      {problem && (
        <p className="error-text formula-problem" id={`formula-${index}-problem`} role="alert">
          {problem}
        </p>
      )}
    </li>
  );
}
