import { createHttpApp, healthPlugin, redisCheck, type HttpApp, type Logger, type Redis } from '@chitchat/platform';
import type { PersistenceConfig } from './config.ts';
import { JobRunner } from './jobs/runner.ts';
import { PersistenceWorker } from './worker.ts';

export interface PersistenceDeps {
  config: PersistenceConfig;
  log: Logger;
  /** A `worker` connection, connected; the caller closes it after the app. */
  redis: Redis;
}

/**
 * The persistence worker and its HTTP side (health). The worker starts with the app and
 * stops (handing its leases back) when the app closes.
 */
export async function buildPersistenceApp({ config, log, redis }: PersistenceDeps): Promise<{ app: HttpApp; worker: PersistenceWorker; jobs: JobRunner }> {
  const app = createHttpApp({ log, service: 'persistence', trustProxy: config.TRUST_PROXY });
  const worker = new PersistenceWorker(config, redis, log);
  await app.register(healthPlugin, {
    checks: {
      redis: redisCheck(redis),
      consumer: async () => {
        if (!worker.running) throw new Error('lease loop is not running');
      },
    },
  });
  const jobs = await JobRunner.start(config, redis, log);
  worker.afterCommit = (entry, seq, ts) => jobs.integrations.afterCommit(entry, seq, ts);
  app.addHook('onClose', async () => {
    await worker.close();
    await jobs.close();
  });
  await worker.start();
  return { app, worker, jobs };
}
