import { nowUs } from '../clock.ts';
import { openLoop } from '../load.ts';
import type { Ledger, Room } from '../traffic.ts';
import { drain } from './common.ts';
import type { RunContext, StepResult } from './scenario.ts';

export interface RampOptions {
  /** Offered messages per second, step by step. */
  rates: number[];
  warmupMs: number;
  measureMs: number;
  rooms: Room[];
  ledger: Ledger;
  fire: (scheduledUs: number) => void;
  /** Deliveries each message is owed (the members of its room). */
  fanout: number;
  /** A step fails when POSTs take longer than this at p99 (ms). */
  maxPostP99Ms?: number;
  /** How long the system may take to catch up after a step. */
  drainMs: number;
}

/**
 * Raises the rate step by step until one is not sustained. Each step sends open-loop at its
 * rate for a warm-up and a measured part, then waits for the system to catch up, so every
 * latency of the step is in before it is judged. A step is sustained when nothing failed,
 * POSTs stayed under the limit, and the messages sent but not yet delivered did not grow by
 * more than a tenth of a second's worth over the measured part (a system that falls behind
 * grows that backlog without bound; one that keeps up holds it at rate × latency). A step
 * that fails is tried once more before the ramp ends: on a shared machine one stall of
 * another process should not decide the figure.
 */
export async function ramp(ctx: RunContext, o: RampOptions): Promise<StepResult[]> {
  const steps: StepResult[] = [];
  const { ledger } = o;
  const backlog = (): number => ledger.sent * o.fanout - ledger.delivered;
  for (let i = 0, retried = false; i < o.rates.length; ) {
    const rate = o.rates[i] as number;
    const failedBefore = ledger.failed;
    const start = nowUs() + 20_000;
    const from = start + o.warmupMs * 1000;
    const to = from + o.measureMs * 1000;
    const e2e = ledger.e2e.open(from, to);
    const post = ledger.post.open(from, to);
    const warm = await openLoop({ rate, durationMs: o.warmupMs, startUs: start, fire: o.fire });
    const before = { backlog: backlog(), delivered: ledger.delivered, accepted: ledger.accepted, at: nowUs() };
    if (steps.length === 0) await ctx.measure.begin();
    const cpuOfStep = ctx.measure.step();
    await openLoop({ rate, durationMs: o.measureMs, startUs: warm.endUs, fire: o.fire });
    const cpu = cpuOfStep();
    const after = { backlog: backlog(), delivered: ledger.delivered, accepted: ledger.accepted, at: nowUs() };
    const drained = await drain(ledger, o.rooms, o.drainMs);
    const seconds = (after.at - before.at) / 1e6;
    const p = post.percentiles();
    const e = e2e.percentiles();
    const growth = after.backlog - before.backlog;
    const allowed = Math.max(20, 0.1 * rate * o.fanout);
    let failed: string | undefined;
    if (ledger.failed > failedBefore) failed = `${ledger.failed - failedBefore} sends failed`;
    else if (o.maxPostP99Ms !== undefined && p.p99 > o.maxPostP99Ms) failed = `POST p99 ${p.p99} ms > ${o.maxPostP99Ms} ms`;
    else if (growth > allowed) failed = `fell behind: backlog grew by ${growth} (allowed ${Math.round(allowed)})`;
    else if (!drained) failed = `did not catch up within ${o.drainMs / 1000} s`;
    const achieved = o.fanout === 1 ? (after.accepted - before.accepted) / seconds : (after.delivered - before.delivered) / seconds;
    const step: StepResult = {
      rate,
      achieved: Math.round(achieved),
      post: { p50: p.p50, p99: p.p99, p999: p.p999 },
      e2e: { p50: e.p50, p99: e.p99, p999: e.p999 },
      ...(failed ? { failed } : {}),
      ...(cpu ? { cpu } : {}),
    };
    ctx.log(`  ${rate} msg/s: ${step.achieved}/s, POST p99 ${p.p99} ms, e2e p50 ${e.p50} p99 ${e.p99} ms${failed ? ` — not sustained: ${failed}${retried ? '' : '; once more'}` : ''}`);
    if (failed && !retried) {
      retried = true;
      continue;
    }
    steps.push(step);
    if (failed) break;
    i++;
    retried = false;
  }
  await ctx.measure.end();
  return steps;
}

/** The last sustained step, if any. */
export function bestStep(steps: StepResult[]): StepResult | undefined {
  return steps.filter((s) => !s.failed).at(-1);
}
