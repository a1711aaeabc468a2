import { LRUCache } from 'lru-cache';
import type { HistoryPage } from '@chitchat/contracts';
import { roomNotFound } from '@chitchat/platform';
import { pageOf, type HistoryStore, type PageRead } from './store.ts';

/** Turns a page into the response body, as the route's serializer does. */
export type PageSerializer = (page: HistoryPage) => string;

export interface LatestPagesOptions {
  /** Most pages kept (one per room and limit); the least recently read goes first. Default 4096. */
  maxPages?: number;
  /** Most characters kept over all pages (bodies, and what viewer-dependent ones are built from). Default 16 Mi. */
  maxChars?: number;
  /**
   * A page older than this is read again even if the room's head and length did not move.
   * Nothing in ChitChat changes a page without moving one of them; this bounds what could
   * (a Redis failover that lost the latest writes, a hand edit). Default 2000 ms.
   */
  maxAgeMs?: number;
  /** Most viewers whose body is kept for a page whose reactions differ by viewer (`me`). Default 256. */
  maxViewers?: number;
}

interface Cached {
  name: string;
  /** The order in which reads started: a read that started earlier never replaces a later one. */
  started: number;
  /** `<head seq> <log length>` when the page was read: it is the latest page while both are unchanged. */
  version: string;
  /** The body for every viewer: no message of the page has reactions. */
  body: string | undefined;
  /** Otherwise: what the page was read as, and the body of each recent viewer. */
  read: PageRead | undefined;
  viewers: Map<string, string> | undefined;
  /** Characters held: the cache's size of this page. */
  chars: number;
}

/**
 * The latest page of each room (per limit), serialized, in process. A request first asks
 * Redis, in one round trip, whether the caller may see the room and what the room's head
 * seq and log length are; while both are what they were when the page was read, the page
 * has not changed (every message, edit, delete and reaction is a log entry with the next
 * seq; retention trims shorten the log), and its bytes are sent without reading the log.
 * Concurrent requests that find the same change read the page once.
 */
export class LatestPages {
  readonly #store: HistoryStore;
  /** By `<limit> <room>`; bounded in pages and characters, least recently read out first. */
  readonly #pages: LRUCache<string, Cached>;
  readonly #reading = new Map<string, { version: string; done: Promise<Cached> }>();
  readonly #maxViewers: number;
  #started = 0;

  constructor(store: HistoryStore, options: LatestPagesOptions = {}) {
    this.#store = store;
    this.#pages = new LRUCache<string, Cached>({
      max: options.maxPages ?? 4096,
      maxSize: options.maxChars ?? 16 * 1024 * 1024,
      sizeCalculation: (cached) => Math.max(1, cached.chars),
      ttl: options.maxAgeMs ?? 2000,
    });
    this.#maxViewers = options.maxViewers ?? 256;
  }

  /** Pages held now (for tests and metrics). */
  get size(): number {
    return this.#pages.size;
  }

  /**
   * The body of the room's newest `limit` messages for `viewer`; throws 404 `room_not_found`
   * for a private room they are not a member of, exactly as `RoomAccess.see` does.
   */
  async body(room: string, limit: number, viewer: string, serialize: PageSerializer): Promise<string> {
    const head = await this.#store.latestHead(room, viewer);
    if (!head.visible) throw roomNotFound(room);
    const name = `${limit} ${room}`;
    const version = `${head.headSeq} ${head.length}`;
    // Expired pages (maxAgeMs) are not returned.
    const cached = this.#pages.get(name);
    if (cached && cached.version === version) return this.#bodyFor(cached, room, viewer, serialize);
    let reading = this.#reading.get(name);
    if (!reading || reading.version !== version) {
      const done = this.#read(name, room, limit, viewer, serialize);
      reading = { version, done };
      this.#reading.set(name, reading);
      const current = reading;
      const settled = (): void => {
        if (this.#reading.get(name) === current) this.#reading.delete(name);
      };
      done.then(settled, settled);
    }
    return this.#bodyFor(await reading.done, room, viewer, serialize);
  }

  async #read(name: string, room: string, limit: number, viewer: string, serialize: PageSerializer): Promise<Cached> {
    const started = ++this.#started;
    // The head and length are read before the entries and states (on one connection, in
    // order), so a page is never older than the version it is kept under.
    const read = await this.#store.read(room, { limit });
    const page = pageOf(room, read, viewer);
    const body = serialize(page);
    const version = `${read.headSeq} ${read.length}`;
    const cached: Cached = page.messages.some((m) => m.reactions !== undefined)
      ? { name, started, version, body: undefined, read, viewers: new Map([[viewer, body]]), chars: 2 * body.length }
      : { name, started, version, body, read: undefined, viewers: undefined, chars: body.length };
    this.#keep(cached);
    return cached;
  }

  #bodyFor(cached: Cached, room: string, viewer: string, serialize: PageSerializer): string {
    if (cached.body !== undefined) return cached.body;
    const viewers = cached.viewers as Map<string, string>;
    const known = viewers.get(viewer);
    if (known !== undefined) return known;
    const body = serialize(pageOf(room, cached.read as PageRead, viewer));
    if (viewers.size >= this.#maxViewers) {
      const [oldest, old] = viewers.entries().next().value as [string, string];
      viewers.delete(oldest);
      this.#resize(cached, -old.length);
    }
    viewers.set(viewer, body);
    this.#resize(cached, body.length);
    return body;
  }

  #keep(cached: Cached): void {
    const old = this.#pages.peek(cached.name);
    if (old && old.started > cached.started) return;
    this.#pages.set(cached.name, cached);
  }

  /** A viewer's body was added or dropped: the cache counts the page's new size (its age stays). */
  #resize(cached: Cached, by: number): void {
    cached.chars += by;
    if (this.#pages.peek(cached.name) === cached) this.#pages.set(cached.name, cached, { noUpdateTTL: true });
  }
}
