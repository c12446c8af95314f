import type { VariantDraft } from './flag-model.js';

/** Multivariate flag variants: key, description, rollout % (with the running sum) and a JSON payload each. */
export function VariantsTable({ variants, onChange, locked }: { variants: VariantDraft[]; onChange: (v: VariantDraft[]) => void; locked: boolean }) {
  const set = (index: number, change: Partial<VariantDraft>) => onChange(variants.map((v, i) => (i === index ? { ...v, ...change } : v)));
  const sum = variants.reduce((s, v) => s + (Number(v.rollout) || 0), 0);
  const rounded = Math.round(sum * 100) / 100;

  function distribute() {
    // Whole percentages; the first variants take the remainder so the sum is exactly 100.
    const base = Math.floor(100 / variants.length);
    const extra = 100 - base * variants.length;
    onChange(variants.map((v, i) => ({ ...v, rollout: String(base + (i < extra ? 1 : 0)) })));
  }

  return (
    <div className="variants">
      <table className="table">
        <caption className="visually-hidden">Variants</caption>
        <thead>
          <tr>
            <th scope="col">Variant key</th>
            <th scope="col">Description</th>
            <th scope="col">Payload (JSON)</th>
            <th scope="col">Rollout %</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {variants.map((v, i) => {
            const n = i + 1;
            return (
              <tr key={i}>
                <td>
                  <input aria-label={`Variant ${n} key`} className="input mono" value={v.key} readOnly={locked} onChange={(e) => set(i, { key: e.target.value })} />
                </td>
                <td>
                  <input aria-label={`Variant ${n} description`} className="input" value={v.name} onChange={(e) => set(i, { name: e.target.value })} />
                </td>
                <td>
                  <textarea aria-label={`Variant ${n} payload`} className="input mono payload" rows={1} placeholder='e.g. {"color": "blue"}' value={v.payload} onChange={(e) => set(i, { payload: e.target.value })} />
                </td>
                <td>
                  <input aria-label={`Variant ${n} rollout`} className="input input-narrow" type="number" min={0} max={100} step="any" value={v.rollout} readOnly={locked} onChange={(e) => set(i, { rollout: e.target.value })} />
                </td>
                <td>
                  {!locked && variants.length > 1 && (
                    <button type="button" className="button button-small" aria-label={`Remove variant ${n}`} onClick={() => onChange(variants.filter((_, j) => j !== i))}>
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr>
            <td colSpan={3}>
              {!locked && (
                <>
                  <button type="button" className="button button-small" onClick={() => onChange([...variants, { key: `variant-${variants.length + 1}`, name: '', rollout: '0', payload: '' }])}>
                    Add variant
                  </button>{' '}
                  <button type="button" className="button button-small" onClick={distribute}>
                    Distribute split evenly
                  </button>
                </>
              )}
            </td>
            <td colSpan={2}>
              <span className={rounded === 100 ? 'sum-ok' : 'error-text'} data-testid="variant-sum" aria-live="polite">
                Total: {rounded}%{rounded === 100 ? '' : ' (must be 100%)'}
              </span>
            </td>
          </tr>
        </tfoot>
      </table>
      {locked && <p className="hint">An experiment uses this flag: its variants and split are changed on the experiment.</p>}
    </div>
  );
}
