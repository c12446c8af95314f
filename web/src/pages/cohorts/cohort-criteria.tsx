import { Fragment } from 'react';
import { childGroupPath, criterionLabel, newCriterionNode, newGroupNode, type CohortDefinition, type DefinitionNode, type GroupNode } from './cohort-definition.js';
import { CriterionRow, type Choices } from './cohort-criterion.js';

export type { Choices } from './cohort-criterion.js';

/**
 * PostHog's sentence-style cohort criteria: "match persons against all/any criteria groups", each
 * group with its own all/any of criteria. Deeper groups and criteria straight under the root (which
 * the API accepts) are shown where they are and stay editable. Every control is labelled with its
 * group and row, for screen readers and tests.
 */
export function CohortCriteriaEditor({ value, onChange, choices }: { value: CohortDefinition; onChange: (d: CohortDefinition) => void; choices: Choices }) {
  const root = value.root;
  const setRoot = (next: GroupNode) => onChange({ ...value, root: next });
  return (
    <div className="criteria">
      <p className="criteria-match">
        <label>
          Match persons against{' '}
          <select className="input" aria-label="Match criteria groups" value={root.type} onChange={(e) => setRoot({ ...root, type: e.target.value as 'AND' | 'OR' })}>
            <option value="AND">all</option>
            <option value="OR">any</option>
          </select>{' '}
          {root.children.every((c) => c.kind === 'group') ? 'criteria groups' : 'of these criteria and groups'}
        </label>
      </p>
      <Children group={root} path="" onChange={setRoot} choices={choices} />
      <div>
        <button type="button" className="button" onClick={() => setRoot({ ...root, children: [...root.children, newGroupNode()] })}>
          Add criteria group
        </button>
      </div>
    </div>
  );
}

/** A group's children in their stored order, with the group's "and"/"or" between them. */
function Children({ group, path, onChange, choices }: { group: GroupNode; path: string; onChange: (g: GroupNode) => void; choices: Choices }) {
  const replace = (id: number, next: DefinitionNode | null) =>
    onChange({ ...group, children: next ? group.children.map((c) => (c.id === id ? next : c)) : group.children.filter((c) => c.id !== id) });
  let groups = 0;
  let criteria = 0;
  const join = group.type === 'AND' ? 'and' : 'or';
  const items = group.children.map((child, index) => {
    const separator = index > 0 && (
      <li className="criteria-join" aria-hidden="true">
        {join}
      </li>
    );
    if (child.kind === 'group') {
      const childPath = childGroupPath(path, ++groups);
      return (
        <Fragment key={child.id}>
          {separator}
          <li>
            <GroupCard group={child} path={childPath} onChange={(g) => replace(child.id, g)} onRemove={() => replace(child.id, null)} choices={choices} />
          </li>
        </Fragment>
      );
    }
    const label = criterionLabel(path, ++criteria);
    return (
      <Fragment key={child.id}>
        {separator}
        <li className="criteria-row">
          <CriterionRow label={label} value={child.criterion} onChange={(criterion) => replace(child.id, { ...child, criterion })} choices={choices} />
          <button type="button" className="button button-small" aria-label={`Remove ${label.charAt(0).toLowerCase()}${label.slice(1)}`} onClick={() => replace(child.id, null)}>
            Remove
          </button>
        </li>
      </Fragment>
    );
  });
  if (items.length === 0) return null;
  return <ol className="criteria-rows">{items}</ol>;
}

function GroupCard({ group, path, onChange, onRemove, choices }: { group: GroupNode; path: string; onChange: (g: GroupNode) => void; onRemove: () => void; choices: Choices }) {
  return (
    <fieldset className={`criteria-group${path.includes('.') ? ' criteria-subgroup' : ''}`}>
      <legend>Group {path}</legend>
      <div className="criteria-group-header">
        <label>
          Match persons against{' '}
          <select className="input" aria-label={`Group ${path} match`} value={group.type} onChange={(e) => onChange({ ...group, type: e.target.value as 'AND' | 'OR' })}>
            <option value="AND">all</option>
            <option value="OR">any</option>
          </select>{' '}
          criteria
        </label>
        <button type="button" className="button button-small" onClick={onRemove} aria-label={`Remove group ${path}`}>
          Remove group
        </button>
      </div>
      {group.children.length === 0 && <p className="muted">No criteria: this group matches every person.</p>}
      <Children group={group} path={path} onChange={onChange} choices={choices} />
      <button type="button" className="button button-small" onClick={() => onChange({ ...group, children: [...group.children, newCriterionNode()] })}>
        Add criteria to group {path}
      </button>
    </fieldset>
  );
}
