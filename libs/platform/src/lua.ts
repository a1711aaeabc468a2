import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from './redis.ts';

/** Runs a registered script: KEYS then ARGV, as its file header lists them. */
export type LuaScript = (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

type ScriptCaller = (...keysAndArgs: (string | number)[]) => Promise<unknown>;

/**
 * Registers the named `<name>-<numKeys>.lua` files of a package's `lua/` folder on the
 * connection (ioredis runs them with EVALSHA, falling back to EVAL once) and returns a
 * caller for each.
 *
 * `from` is the caller's `import.meta.url`; the folder is found by walking up to the
 * package root, so it works the same from `src/` (tests) and `dist/src/` (builds).
 */
export function loadLuaScripts<N extends string>(redis: Redis, from: string, names: readonly N[]): Record<N, LuaScript> {
  const dir = join(packageRoot(fileURLToPath(from)), 'lua');
  const files = readdirSync(dir);
  const scripts = {} as Record<N, LuaScript>;
  for (const name of names) {
    const file = files.find((f) => f.startsWith(`${name}-`) && /-\d+\.lua$/.test(f));
    if (!file) throw new Error(`no Lua script ${name}-<numKeys>.lua in ${dir}`);
    const numberOfKeys = Number(/-(\d+)\.lua$/.exec(file)?.[1]);
    const command = `chitchat_${name.replace(/-/g, '_')}`;
    redis.defineCommand(command, { numberOfKeys, lua: readFileSync(join(dir, file), 'utf8') });
    const call = (redis as unknown as Record<string, ScriptCaller>)[command] as ScriptCaller;
    scripts[name] = (keys, args) => {
      if (keys.length !== numberOfKeys) throw new Error(`${file} takes ${numberOfKeys} keys, got ${keys.length}`);
      return call.call(redis, ...keys, ...args);
    };
  }
  return scripts;
}

function packageRoot(file: string): string {
  let dir = dirname(file);
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${file}`);
    dir = up;
  }
  return dir;
}
