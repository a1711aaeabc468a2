import { randomUUID } from 'node:crypto';

export interface AcceptedMessage {
  id: string;
  room: string;
  user: string;
  text: string;
  clientMsgId: string;
}

/**
 * Sends messages as a careful client does: each with its own `clientMsgId`, retried with
 * the same id after a 5xx or a network error until it gets its 202, so a message counts as
 * accepted exactly when the service said so.
 */
export class Sender {
  readonly accepted: AcceptedMessage[] = [];
  /** Responses other than 202 seen along the way (503 while Redis restarts, ...). */
  readonly failures = new Map<number | string, number>();
  readonly #base: () => string;
  readonly #token: string;
  readonly #user: string;
  readonly #onFailure: ((what: number | string) => void) | undefined;

  /** `onFailure` hears of each response that was not a 202 (and each network error). */
  constructor(options: { base: () => string; token: string; user: string; onFailure?: (what: number | string) => void }) {
    this.#base = options.base;
    this.#token = options.token;
    this.#user = options.user;
    this.#onFailure = options.onFailure;
  }

  /** Sends one message; resolves with its id once accepted, rejects after `deadlineMs`. */
  async send(room: string, text: string, deadlineMs = 60_000): Promise<string> {
    const clientMsgId = randomUUID();
    const deadline = Date.now() + deadlineMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(`${this.#base()}/v1/rooms/${room}/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.#token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ text, clientMsgId }),
        });
        if (res.status === 202) {
          const { id } = (await res.json()) as { id: string };
          this.accepted.push({ id, room, user: this.#user, text, clientMsgId });
          return id;
        }
        await res.body?.cancel();
        this.#count(res.status);
        if (res.status < 500) throw new Error(`send refused with ${res.status}`);
      } catch (err) {
        if (err instanceof Error && err.message.startsWith('send refused')) throw err;
        this.#count('network');
      }
      if (Date.now() > deadline) throw new Error(`message to ${room} not accepted within ${deadlineMs} ms`);
      // Retry pacing of a client, not synchronisation: the service decides when it is back.
      await new Promise((resolve) => setTimeout(resolve, Math.min(500, 25 * 2 ** attempt)));
    }
  }

  #count(key: number | string): void {
    this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
    this.#onFailure?.(key);
  }
}
