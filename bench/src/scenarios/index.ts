import type { ScenarioName } from '../options.ts';
import { fanout } from './fanout.ts';
import { history } from './history.ts';
import { ingest } from './ingest.ts';
import { latency } from './latency.ts';
import { memory } from './memory.ts';
import { reconnect } from './reconnect.ts';
import type { Scenario } from './scenario.ts';

export const scenarios: Record<ScenarioName, Scenario> = { latency, ingest, fanout, memory, history, reconnect };
