import { useEffect, useRef } from 'react';
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { sql, SQLDialect } from '@codemirror/lang-sql';
import { bracketMatching, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { lintKeymap, setDiagnostics } from '@codemirror/lint';
import { EditorState, Prec } from '@codemirror/state';
import { drawSelection, EditorView, highlightActiveLine, keymap, lineNumbers, placeholder } from '@codemirror/view';
import { classHighlighter } from '@lezer/highlight';
import { HOGQL_FUNCTION_NAMES, HOGQL_KEYWORDS, hogqlCompletionSource, type LoadPropertyNames } from './hogql-completion.js';

/** A HogQL error's character range in the text that was run. */
export interface EditorError {
  start: number;
  end: number;
  message: string;
}

// ClickHouse-flavoured: `ident` and "ident" are identifiers, strings are single-quoted.
const hogqlDialect = SQLDialect.define({
  keywords: HOGQL_KEYWORDS.flatMap((k) => k.toLowerCase().split(' ')).join(' ') + ' final sample array settings',
  builtin: HOGQL_FUNCTION_NAMES.join(' '),
  types: 'string int float bool date datetime uuid nullable array tuple map',
  identifierQuotes: '`"',
  backslashEscapes: true,
});

export interface HogQLEditorProps {
  value: string;
  onChange: (text: string) => void;
  /** Cmd/Ctrl+Enter. */
  onRun: () => void;
  /** Underlined in the editor, with its message on hover. */
  error: EditorError | null;
  loadProperties: LoadPropertyNames;
  label: string;
  /** Id of the text that explains the shortcut. */
  describedBy?: string;
}

/** CodeMirror 6 with HogQL highlighting, completion and error underlines. */
export function HogQLEditor({ value, onChange, onRun, error, loadProperties, label, describedBy }: HogQLEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  // The view is built once; these refs let it call the latest callbacks.
  const callbacks = useRef({ onChange, onRun, loadProperties });
  callbacks.current = { onChange, onRun, loadProperties };

  useEffect(() => {
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          closeBrackets(),
          highlightActiveLine(),
          syntaxHighlighting(classHighlighter),
          sql({ dialect: hogqlDialect, upperCaseKeywords: true }),
          autocompletion({ override: [hogqlCompletionSource((kind) => callbacks.current.loadProperties(kind))] }),
          placeholder('SELECT event, count() FROM events GROUP BY event'),
          Prec.highest(
            keymap.of([
              {
                key: 'Mod-Enter',
                run: () => {
                  callbacks.current.onRun();
                  return true;
                },
              },
            ]),
          ),
          keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, ...lintKeymap]),
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({ 'aria-label': label, ...(describedBy ? { 'aria-describedby': describedBy } : {}) }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) callbacks.current.onChange(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // Built once: later values arrive through the effects below.
  }, []);

  // A new value from outside (back/forward, a pasted link) replaces the text; typing does not loop back.
  useEffect(() => {
    const editor = view.current;
    if (editor && editor.state.doc.toString() !== value) editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    const length = editor.state.doc.length;
    const diagnostics = [];
    if (error) {
      const from = Math.max(0, Math.min(error.start, length));
      // An empty range (e.g. "unexpected end of input") still needs a character to underline.
      const to = Math.max(Math.min(error.end, length), Math.min(from + 1, length));
      diagnostics.push({ from: to > from ? from : Math.max(0, to - 1), to, severity: 'error' as const, message: error.message });
    }
    editor.dispatch(setDiagnostics(editor.state, diagnostics));
  }, [error]);

  return <div ref={host} className="hogql-editor" />;
}

/** "line 2, column 5" for a character offset, as the server counts them (UTF-16 units, from 0). */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, offset));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}
