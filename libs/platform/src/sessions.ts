import { randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { Redis } from './redis.ts';
import { isValidUsername, userKeys, usernameKey } from '@chitchat/contracts';
import { loadLuaScripts, type LuaScript } from './lua.ts';

/** A verified session: who is calling. */
export interface Session {
  username: string;
  /** The session id (in the token as `sid`); revoking it ends every use of the token. */
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

/** The one signing algorithm tokens may use: a token naming any other (or `none`) is refused. */
const ALGORITHM = 'HS256';
const ISSUER = 'chitchat';

/**
 * Sessions and the unique username claims behind them.
 *
 * A token is a JWT signed with HS256 (pinned) that carries the username (`sub`) and a
 * session id (`sid`). The session itself lives in Redis: the token is valid only while
 * its session exists there, so leaving revokes it at once everywhere, and a session not
 * used for `ttlSeconds` expires and frees its name (each verification extends it).
 */
export class SessionStore {
  readonly #scripts: Record<'create-session' | 'touch-session' | 'revoke-session', LuaScript>;
  readonly #ttlSeconds: number;
  readonly #secret: Uint8Array;
  /** Tokens whose signature was checked, with their claims (see `#claims`). */
  readonly #verified = new Map<string, Session>();

  constructor(redis: Redis, options: { secret: string; ttlSeconds?: number }) {
    this.#scripts = loadLuaScripts(redis, import.meta.url, ['create-session', 'touch-session', 'revoke-session']);
    this.#ttlSeconds = options.ttlSeconds ?? 24 * 3600;
    this.#secret = new TextEncoder().encode(options.secret);
  }

  /** Claims `username` (case-insensitively unique) and returns a new token. */
  async create(username: string): Promise<CreatedSession> {
    if (!isValidUsername(username)) throw new Error(`not a valid username: ${JSON.stringify(username)}`);
    const sid = randomBytes(16).toString('base64url');
    const ok = await this.#scripts['create-session'](keysOf(username, sid), [sid, username, this.#ttlSeconds]);
    if (ok !== 1) throw new UsernameTakenError(`username '${username}' is taken`);
    const token = await new SignJWT({ sid })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(username)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .sign(this.#secret);
    return { token, username, expiresAt: new Date(Date.now() + this.#ttlSeconds * 1000) };
  }

  /** The session of a token, extending it; `null` for a forged, unknown, expired or revoked token. */
  async verify(token: string | undefined): Promise<Session | null> {
    const claims = await this.#claims(token);
    if (!claims) return null;
    const username = await this.#scripts['touch-session'](keysOf(claims.username, claims.id), [claims.id, this.#ttlSeconds]);
    return typeof username === 'string' ? { username, id: claims.id } : null;
  }

  /** Ends the session of a token; its name is free at once. */
  async revoke(session: Session): Promise<boolean> {
    const revoked = await this.#scripts['revoke-session'](keysOf(session.username, session.id), [session.id, userKeys.events(usernameKey(session.username))]);
    return revoked === 1;
  }

  /**
   * The signed claims of a token, without touching Redis. A token's signature is checked
   * once per process: tokens carry no expiry (a session ends in Redis: revoked, or unused
   * for its TTL), so a verified token stays verified, and the HMAC (WebCrypto, async) was a
   * fifth of ingest's CPU per request. Whether the session still lives is asked every time.
   */
  async #claims(token: string | undefined): Promise<Session | null> {
    if (!token || token.length > 2048) return null;
    const known = this.#verified.get(token);
    if (known) return known;
    try {
      const { payload } = await jwtVerify(token, this.#secret, { algorithms: [ALGORITHM], issuer: ISSUER });
      const { sub, sid } = payload as { sub?: unknown; sid?: unknown };
      if (!isValidUsername(sub) || typeof sid !== 'string' || sid.length === 0 || sid.length > 64) return null;
      const claims = { username: sub, id: sid };
      // Bounded: the oldest entry goes first (a Map iterates in insertion order).
      if (this.#verified.size >= VERIFIED_MAX) this.#verified.delete(this.#verified.keys().next().value as string);
      this.#verified.set(token, claims);
      return claims;
    } catch {
      return null;
    }
  }
}

const VERIFIED_MAX = 10_000;

function keysOf(username: string, sid: string): [string, string] {
  const user = usernameKey(username);
  return [userKeys.claim(user), userKeys.session(user, sid)];
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
