/** `npm run soak -- --minutes 10`: the chaos soak from the command line; exits 1 unless clean. */
import { parseArgs } from 'node:util';
import { runSoak } from './soak.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '1' },
    rate: { type: 'string', default: '40' },
    clients: { type: 'string', default: '50' },
  },
});
const minutes = Number(values.minutes);
if (!(minutes > 0)) throw new Error(`--minutes must be a positive number, got '${values.minutes}'`);
const started = Date.now();
const report = await runSoak({
  durationMs: minutes * 60_000,
  rate: Number(values.rate),
  clients: Number(values.clients),
  log: (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`),
});
console.log(JSON.stringify(report, null, 2));
const clean = report.lost === 0 && report.duplicated === 0 && report.reordered === 0 && report.divergent === 0;
console.log(clean ? 'soak: clean' : 'soak: FAILED');
process.exitCode = clean ? 0 : 1;
