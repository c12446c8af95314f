import { Component, type ReactNode } from 'react';
import { ErrorState } from './states.js';

/**
 * A screen that throws while rendering shows its error here instead of blanking the whole app;
 * `resetKey` (the URL) clears it when the user navigates elsewhere.
 */
export class ErrorBoundary extends Component<{ resetKey: string; children: ReactNode }, { error: Error | null; key: string }> {
  override state = { error: null as Error | null, key: this.props.resetKey };

  static getDerivedStateFromProps(props: { resetKey: string }, state: { error: Error | null; key: string }) {
    return props.resetKey === state.key ? null : { error: null, key: props.resetKey };
  }

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error): void {
    console.error('screen failed to render', error);
  }

  override render() {
    if (this.state.error) return <ErrorState title="This screen failed to render" error={this.state.error} retry={() => this.setState({ error: null })} />;
    return this.props.children;
  }
}
