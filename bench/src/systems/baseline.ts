import { fileURLToPath } from 'node:url';
import { closeRedis, connectRedis, createLogger, createRedis, type Redis } from '@chitchat/platform';
import { startRedisProcess, type TestRedis } from '@chitchat/testing';
import { SocketIoSocket } from '../clients/socketio.ts';
import type { ClientState, Ledger, SenderUser } from '../traffic.ts';
import { startAll, startNode, type NodeProcess } from './process.ts';
import { commandStats, redisPid, type CommandCounters, type System, type SystemOptions, type SystemProcess } from './system.ts';

/** The baseline server's entry: the compiled file beside this one, or the TypeScript source when run from it. */
const SERVER = fileURLToPath(new URL(`../baseline/server${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));

/** The Socket.IO baseline: its own redis-server and `topology.instances` instances of baseline/server. */
export class BaselineSystem implements System {
  readonly kind = 'baseline';
  readonly socketServers: NodeProcess[] = [];
  readonly profiled: NodeProcess[] = [];
  readonly write = { origins: [] as string[], authorization: (user: string): string => `Bearer ${user}` };
  readonly readOrigins: string[] = [];
  #redis: TestRedis | undefined;
  #admin: Redis | undefined;
  #redisPid = 0;

  static async start(o: SystemOptions): Promise<BaselineSystem> {
    const system = new BaselineSystem();
    try {
      system.#redis = await startRedisProcess();
      system.#admin = await connectRedis(createRedis({ url: system.#redis.url, name: 'bench-admin', role: 'worker', log: createLogger('bench', 'silent') }));
      system.#redisPid = await redisPid(system.#admin);
      const url = system.#redis.url;
      const instances = await startAll(
        Array.from({ length: o.topology.instances }, (_, i) => () => startNode(`socketio-${i}`, SERVER, { env: { REDIS_URL: url }, logDir: o.logDir, inspect: o.inspect, readyPath: '/healthz' })),
      );
      system.socketServers.push(...instances);
      system.profiled.push(...instances);
      const origins = instances.map((p) => `http://127.0.0.1:${p.port}`);
      system.write.origins.push(...origins);
      system.readOrigins.push(...origins);
      return system;
    } catch (err) {
      await system.stop();
      throw err;
    }
  }

  async users(prefix: string, n: number): Promise<SenderUser[]> {
    return Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}`, token: '' }));
  }

  socket(user: SenderUser, server: number, state: ClientState, ledger: Ledger): SocketIoSocket {
    const instance = this.socketServers[server % this.socketServers.length] as NodeProcess;
    return new SocketIoSocket({ url: `ws://127.0.0.1:${instance.port}`, user: user.name, token: user.token, state, ledger });
  }

  async fill(room: string, count: number, text: (i: number) => string): Promise<void> {
    const admin = this.#admin as Redis;
    const ts = String(Date.now());
    for (let from = 1; from <= count; from += 1000) {
      const pipeline = admin.pipeline();
      for (let i = from; i < from + 1000 && i <= count; i++) pipeline.xadd(`baseline:{${room}}:log`, '*', 'user', `filler${i % 100}`, 'text', text(i), 'ts', ts);
      await pipeline.exec();
    }
  }

  processes(): SystemProcess[] {
    return [{ name: 'redis', pid: this.#redisPid }, ...this.socketServers.map((p) => ({ name: p.name, pid: p.child.pid ?? 0 }))].filter((p) => p.pid > 0);
  }

  pids(): number[] {
    return this.processes().map((p) => p.pid);
  }

  async redisCommands(): Promise<CommandCounters> {
    return commandStats(this.#admin as Redis);
  }

  async storeBacklog(): Promise<number> {
    return 0;
  }

  async stop(): Promise<void> {
    await Promise.all(this.socketServers.map((p) => p.stop()));
    if (this.#admin) await closeRedis(this.#admin);
    await this.#redis?.stop();
  }
}
