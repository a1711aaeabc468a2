import WebSocket from 'ws';

/** Memory of a process after a full garbage collection, in bytes. */
export interface MemoryReading {
  heapUsed: number;
  heapTotal: number;
  rss: number;
  external: number;
  arrayBuffers: number;
}

/** A V8 CPU profile as the DevTools protocol returns it (the `.cpuprofile` format). */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/**
 * A DevTools-protocol session with a process started with `--inspect`: the generator uses
 * it to collect garbage and read memory in the service (no metric scrape can force a GC),
 * and to record a CPU profile of exactly the measured window.
 */
export class Inspector {
  readonly #ws: WebSocket;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #next = 1;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data: Buffer) => {
      const reply = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
      const waiter = reply.id === undefined ? undefined : this.#pending.get(reply.id);
      if (!waiter || reply.id === undefined) return;
      this.#pending.delete(reply.id);
      if (reply.error) waiter.reject(new Error(reply.error.message));
      else waiter.resolve(reply.result);
    });
  }

  static async connect(port: number): Promise<Inspector> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
    const url = targets[0]?.webSocketDebuggerUrl;
    if (!url) throw new Error(`no inspector target on port ${port}`);
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1024 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new Inspector(ws);
  }

  call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Collects garbage (twice: weak references and finalizers free more on the second) and reads process.memoryUsage(). */
  async memory(): Promise<MemoryReading> {
    await this.call('HeapProfiler.collectGarbage');
    await this.call('HeapProfiler.collectGarbage');
    const { result } = await this.call<{ result: { value: string } }>('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
    return JSON.parse(result.value) as MemoryReading;
  }

  async startProfile(samplingIntervalUs = 500): Promise<void> {
    await this.call('Profiler.enable');
    await this.call('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
    await this.call('Profiler.start');
  }

  async stopProfile(): Promise<CpuProfile> {
    const { profile } = await this.call<{ profile: CpuProfile }>('Profiler.stop');
    await this.call('Profiler.disable');
    return profile;
  }

  close(): void {
    this.#ws.close();
  }
}
