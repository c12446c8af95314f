import { useRef, type KeyboardEvent } from 'react';
import { useSearchParams } from 'react-router';
import { CopyButton } from './copy-button.js';

/** The server the page came from is the one SDKs should send to. */
export function apiHost(): string {
  return window.location.origin;
}

const SDKS = [
  {
    // posthog-js's browser bundle is served by this server at /static/ (PostHog's own HTML snippet works too).
    id: 'html',
    label: 'Website (HTML)',
    code: (token: string, host: string) => `<!-- in the <head> of every page -->
<script src="${host}/static/array.js"></script>
<script>
  posthog.init('${token}', {
    api_host: '${host}',
    person_profiles: 'identified_only',
  })
</script>`,
  },
  {
    id: 'web',
    label: 'Web app (npm posthog-js)',
    code: (token: string, host: string) => `// npm install posthog-js
import posthog from 'posthog-js'

posthog.init('${token}', {
  api_host: '${host}',
  person_profiles: 'identified_only',
})`,
  },
  {
    id: 'node',
    label: 'Node.js (posthog-node)',
    code: (token: string, host: string) => `// npm install posthog-node
import { PostHog } from 'posthog-node'

const posthog = new PostHog('${token}', { host: '${host}' })
posthog.capture({ distinctId: 'user-1', event: 'order placed', properties: { amount: 42 } })
await posthog.shutdown()`,
  },
  {
    id: 'python',
    label: 'Python (posthog)',
    code: (token: string, host: string) => `# pip install posthog
from posthog import Posthog

posthog = Posthog('${token}', host='${host}')
posthog.capture('order placed', distinct_id='user-1', properties={'amount': 42})
posthog.shutdown()`,
  },
] as const;

/**
 * What to paste to send events here, per SDK, with this project's token and this server's URL.
 * The chosen SDK is in the URL (`?sdk=node`) so a link opens the same tab.
 */
export function SdkSnippets({ token }: { token: string }) {
  const [params, setParams] = useSearchParams();
  const selected = SDKS.find((s) => s.id === params.get('sdk')) ?? SDKS[0];
  const tabs = useRef<Array<HTMLButtonElement | null>>([]);

  function select(index: number) {
    const sdk = SDKS[(index + SDKS.length) % SDKS.length]!;
    setParams((p) => {
      p.set('sdk', sdk.id);
      return p;
    }, { replace: true, preventScrollReset: true });
    tabs.current[SDKS.indexOf(sdk)]?.focus();
  }

  function onKeyDown(event: KeyboardEvent, index: number) {
    if (event.key === 'ArrowRight') select(index + 1);
    else if (event.key === 'ArrowLeft') select(index - 1);
    else if (event.key === 'Home') select(0);
    else if (event.key === 'End') select(SDKS.length - 1);
    else return;
    event.preventDefault();
  }

  const code = selected.code(token, apiHost());
  return (
    <div className="snippets">
      <div role="tablist" aria-label="SDK" className="tabs">
        {SDKS.map((sdk, index) => (
          <button
            key={sdk.id}
            ref={(el) => {
              tabs.current[index] = el;
            }}
            type="button"
            role="tab"
            id={`sdk-tab-${sdk.id}`}
            aria-selected={sdk === selected}
            aria-controls="sdk-panel"
            tabIndex={sdk === selected ? 0 : -1}
            className="tab"
            onClick={() => select(index)}
            onKeyDown={(e) => onKeyDown(e, index)}
          >
            {sdk.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="sdk-panel" aria-labelledby={`sdk-tab-${selected.id}`} className="code-block">
        <pre tabIndex={0} aria-label={`${selected.label} snippet`}>
          <code>{code}</code>
        </pre>
        <CopyButton value={code} label={`Copy the ${selected.label} snippet`} />
      </div>
    </div>
  );
}
