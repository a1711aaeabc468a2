import { build, type Histogram } from 'hdr-histogram-js';

/** Percentiles of a latency distribution, in milliseconds. */
export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** The longest latency recorded as itself (2 minutes); anything longer is clamped to it. */
const HIGHEST_US = 120_000_000;

/**
 * A latency histogram (HdrHistogram, 3 significant digits) fed in microseconds and read in
 * milliseconds. HdrHistogram keeps every percentile to 0.1 % without keeping the samples,
 * so millions of deliveries cost a few kilobytes.
 */
export class Latency {
  readonly #h: Histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3, autoResize: false });

  record(us: number): void {
    this.#h.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(us))));
  }

  get count(): number {
    return this.#h.totalCount;
  }

  percentiles(): Percentiles {
    const h = this.#h;
    const ms = (us: number): number => Math.round(us) / 1000;
    if (h.totalCount === 0) return { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
    return {
      count: h.totalCount,
      p50: ms(h.getValueAtPercentile(50)),
      p90: ms(h.getValueAtPercentile(90)),
      p99: ms(h.getValueAtPercentile(99)),
      p999: ms(h.getValueAtPercentile(99.9)),
      max: ms(h.maxValue),
    };
  }
}

/**
 * Latencies sorted into time windows by when the message was *scheduled* to be sent:
 * warm-up traffic falls in no window, and each step of a ramp gets its own histogram.
 */
export class Windows {
  readonly #list: { fromUs: number; toUs: number; hist: Latency }[] = [];

  /** A window for messages scheduled in [fromUs, toUs). */
  open(fromUs: number, toUs: number): Latency {
    const hist = new Latency();
    this.#list.push({ fromUs, toUs, hist });
    return hist;
  }

  record(scheduledUs: number, latencyUs: number): void {
    for (const w of this.#list) if (scheduledUs >= w.fromUs && scheduledUs < w.toUs) w.hist.record(latencyUs);
  }
}
