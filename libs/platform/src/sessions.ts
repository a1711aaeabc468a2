import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { isValidUsername, userKeys, usernameKey } from '@chitchat/contracts';
import { loadLuaScripts, type LuaScript } from './lua.ts';

/** A verified session: who is calling. */
export interface Session {
  username: string;
  /** The token's hash; identifies the session without holding the secret. */
  id: string;
}

export interface CreatedSession {
  token: string;
  username: string;
  expiresAt: Date;
}

/** The name is held by another active session. */
export class UsernameTakenError extends Error {
  override name = 'UsernameTakenError';
}

/**
 * Sessions and the unique username claims behind them, in Redis.
 *
 * A token is `<username>.<32 random bytes, base64url>`; Redis keeps only its SHA-256, so a
 * copy of the data set holds no usable token. A session not used for `ttlSeconds` expires
 * and frees its name; every verification extends it.
 */
export class SessionStore {
  readonly #scripts: Record<'create-session' | 'touch-session' | 'revoke-session', LuaScript>;
  readonly #ttlSeconds: number;

  constructor(redis: Redis, ttlSeconds = 24 * 3600) {
    this.#scripts = loadLuaScripts(redis, import.meta.url, ['create-session', 'touch-session', 'revoke-session']);
    this.#ttlSeconds = ttlSeconds;
  }

  /** Claims `username` (case-insensitively unique) and returns a new token. */
  async create(username: string): Promise<CreatedSession> {
    if (!isValidUsername(username)) throw new Error(`not a valid username: ${JSON.stringify(username)}`);
    const token = `${username}.${randomBytes(32).toString('base64url')}`;
    const { keys, hash } = this.#locate(token) as Located;
    const ok = await this.#scripts['create-session'](keys, [hash, username, this.#ttlSeconds]);
    if (ok !== 1) throw new UsernameTakenError(`username '${username}' is taken`);
    return { token, username, expiresAt: new Date(Date.now() + this.#ttlSeconds * 1000) };
  }

  /** The session of a token, extending it; `null` for an unknown, expired or revoked token. */
  async verify(token: string | undefined): Promise<Session | null> {
    const located = token ? this.#locate(token) : null;
    if (!located) return null;
    const username = await this.#scripts['touch-session'](located.keys, [located.hash, this.#ttlSeconds]);
    return typeof username === 'string' ? { username, id: located.hash } : null;
  }

  /** Ends the session of a token; its name is free at once. */
  async revoke(token: string): Promise<boolean> {
    const located = this.#locate(token);
    if (!located) return false;
    return (await this.#scripts['revoke-session'](located.keys, [located.hash])) === 1;
  }

  #locate(token: string): Located | null {
    const dot = token.lastIndexOf('.');
    const username = token.slice(0, dot);
    if (dot < 0 || !isValidUsername(username) || token.length - dot < 40) return null;
    const hash = createHash('sha256').update(token).digest('base64url');
    const user = usernameKey(username);
    return { hash, keys: [userKeys.claim(user), userKeys.session(user, hash)] };
  }
}

interface Located {
  hash: string;
  keys: [string, string];
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
