import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const OUT_DIR = path.resolve(import.meta.dirname, '../dist/web');

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
const gzipSize = (data: string | Uint8Array) => zlib.gzipSync(data, { level: 9 }).length;

/**
 * After the build: prints the initial JS (the entry chunk and everything it imports statically, i.e.
 * what a first visit downloads before any screen's own chunk) with its gzip size, and writes .gz/.br
 * copies next to every asset so the server sends them without compressing per request.
 */
function initialSizeReport(): Plugin {
  return {
    name: 'hedgerow-initial-size',
    apply: 'build',
    writeBundle(_options, bundle) {
      const initial = new Set<string>();
      const css = new Set<string>();
      const visit = (file: string) => {
        const chunk = bundle[file];
        if (!chunk || chunk.type !== 'chunk' || initial.has(file)) return;
        initial.add(file);
        for (const cssFile of chunk.viteMetadata?.importedCss ?? []) css.add(cssFile);
        chunk.imports.forEach(visit);
      };
      for (const [file, chunk] of Object.entries(bundle)) if (chunk.type === 'chunk' && chunk.isEntry) visit(file);

      let raw = 0;
      let gzip = 0;
      for (const file of initial) {
        const chunk = bundle[file]!;
        const code = chunk.type === 'chunk' ? chunk.code : '';
        raw += Buffer.byteLength(code);
        gzip += gzipSize(code);
      }
      const cssGzip = [...css].reduce((sum, file) => sum + gzipSize(fs.readFileSync(path.join(OUT_DIR, file))), 0);
      const report = { initialJsFiles: [...initial], initialJsBytes: raw, initialJsGzipBytes: gzip, initialCssGzipBytes: cssGzip };
      fs.writeFileSync(path.join(OUT_DIR, 'size-report.json'), JSON.stringify(report, null, 2) + '\n');
      console.log(`\nweb app: initial JS ${kB(raw)} (${kB(gzip)} gzip) in ${initial.size} file(s); initial CSS ${kB(cssGzip)} gzip`);

      for (const file of Object.keys(bundle)) {
        if (!/\.(js|css|svg)$/.test(file)) continue;
        const data = fs.readFileSync(path.join(OUT_DIR, file));
        fs.writeFileSync(path.join(OUT_DIR, file + '.gz'), zlib.gzipSync(data, { level: 9 }));
        fs.writeFileSync(path.join(OUT_DIR, file + '.br'), zlib.brotliCompressSync(data));
      }
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react(), initialSizeReport()],
  resolve: {
    alias: {
      // react-grid-layout imports react-draggable as ESM, react-resizable require()s it: one copy for both.
      'react-draggable': path.resolve(import.meta.dirname, '../node_modules/react-draggable/build/cjs/cjs.js'),
    },
  },
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    target: 'es2022',
    // Every browser that runs ES2022 supports modulepreload; the polyfill would only add bytes.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});
