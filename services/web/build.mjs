// Bundles the browser client into dist/ with esbuild: one script, Bootstrap's CSS from the
// npm package (no CDN: the page works offline on a LAN), and the HTML.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const here = new URL('.', import.meta.url).pathname;
rmSync(`${here}dist`, { recursive: true, force: true });
mkdirSync(`${here}dist`, { recursive: true });
await build({
  entryPoints: [`${here}src/main.ts`],
  bundle: true,
  minify: true,
  sourcemap: true,
  target: ['es2022'],
  format: 'esm',
  outfile: `${here}dist/app.js`,
  logLevel: 'warning',
});
copyFileSync(require.resolve('bootstrap/dist/css/bootstrap.min.css'), `${here}dist/bootstrap.min.css`);
copyFileSync(`${here}src/index.html`, `${here}dist/index.html`);
copyFileSync(`${here}src/app.css`, `${here}dist/app.css`);
