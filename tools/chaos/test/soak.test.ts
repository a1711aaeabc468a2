import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSoak } from '../src/soak.ts';

const seconds = Number(process.env.SOAK_SECONDS ?? 40);

test(`chaos soak (${seconds} s): nothing lost, duplicated or reordered, every view equals history`, async () => {
  const report = await runSoak({ durationMs: seconds * 1000, faultEveryMs: 2500, log: (line) => console.log(line) });
  console.log(JSON.stringify(report));
  assert.ok(report.accepted > 0 && Object.keys(report.faults).length >= 5, 'traffic flowed and faults were injected');
  assert.equal(report.stored, report.accepted);
  assert.deepEqual({ lost: report.lost, duplicated: report.duplicated, reordered: report.reordered, divergent: report.divergent }, { lost: 0, duplicated: 0, reordered: 0, divergent: 0 });
});
