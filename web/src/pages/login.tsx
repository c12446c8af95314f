import { useState, type FormEvent } from 'react';
import { Navigate, useSearchParams } from 'react-router';
import { apiRequest, errorMessage } from '../api.js';
import { usePageTitle } from '../project.js';
import { useSession } from '../session.js';

/** Only paths on this site: `?next=//evil.example` must not become an open redirect. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export default function Login() {
  usePageTitle('Log in');
  const { state, reload } = useSession();
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  if (state.status === 'ready') return <Navigate to={safeNext(params.get('next'))} replace />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await apiRequest('POST', '/api/login', { email, password }, { quiet401: true });
      await reload(); // the session becomes ready and the redirect above takes over
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  }

  return (
    <main className="login" id="main">
      <form className="login-card" onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <div className="brand">
          <svg viewBox="0 0 16 16" width="24" height="24" aria-hidden="true">
            <rect width="16" height="16" rx="3" fill="currentColor" />
            <path d="M4 12V4m8 8V4M4 8h8" stroke="var(--bg)" strokeWidth="2" />
          </svg>
          Hedgerow
        </div>
        <h1 id="login-title">Log in</h1>
        <div className="field">
          <label htmlFor="login-email">Email</label>
          <input id="login-email" className="input" type="email" autoComplete="username" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input id="login-password" className="input" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </div>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
        <p className="hint">The admin login is printed by <code>npm start</code> and kept in <code>data/credentials.json</code>.</p>
      </form>
    </main>
  );
}
