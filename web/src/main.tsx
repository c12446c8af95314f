import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App, prefetchScreen } from './app.js';
import { ErrorBoundary } from './components/error-boundary.js';
import { SessionProvider } from './session.js';
import './styles.css';

prefetchScreen(window.location.pathname);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrowserRouter>
      <SessionProvider>
        <ErrorBoundary resetKey="app">
          <App />
        </ErrorBoundary>
      </SessionProvider>
    </BrowserRouter>
  </StrictMode>,
);
