// Writes docs/openapi.json: the public REST API as one OpenAPI 3.1 document, merged from the
// route schemas of ingest (writes) and history (reads). Run after a build: npm run openapi
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const part = (service) => JSON.parse(execFileSync(process.execPath, [`${root}services/${service}/dist/src/openapi.js`], { encoding: 'utf8' }));
const ingest = part('ingest');
const history = part('history');
const paths = { ...ingest.paths };
for (const [path, ops] of Object.entries(history.paths)) paths[path] = { ...paths[path], ...ops };
const doc = {
  openapi: '3.1.0',
  info: {
    title: 'ChitChat API',
    version: '1',
    description: 'REST part of the ChitChat public API (docs/protocol.md has the WebSocket part). Errors are application/problem+json.',
  },
  servers: [{ url: 'http://localhost:8080', description: 'npm start' }],
  paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
  components: { ...ingest.components, ...history.components },
};
const text = `${JSON.stringify(doc, null, 2)}\n`;
const file = `${root}docs/openapi.json`;
if (process.argv.includes('--check')) {
  // CI: the committed document must match the route schemas.
  if (readFileSync(file, 'utf8') !== text) {
    console.error('docs/openapi.json is out of date with the route schemas: run `npm run openapi` and commit it');
    process.exit(1);
  }
  console.log('docs/openapi.json matches the route schemas');
} else {
  writeFileSync(file, text);
  console.log(`wrote docs/openapi.json (${Object.keys(doc.paths).length} paths)`);
}
