import { CloseCode, userKeys, usernameKey } from '@chitchat/contracts';
import type { Logger, Redis } from '@chitchat/platform';

/** A connection, as the user hub sees it. */
export interface FrameSink {
  readonly sessionId: string;
  send(frame: string): void;
  close(code: number, reason: string): void;
}

/**
 * Per-user events (read markers, session revocations) to every connection of that user on this gateway. The
 * gateway subscribes to a user's channel while it has a connection of that user.
 */
export class UserHub {
  readonly #subscriber: Redis;
  readonly #log: Logger;
  readonly #users = new Map<string, Set<FrameSink>>();
  #connectedOnce = false;

  constructor(subscriber: Redis, log: Logger) {
    this.#subscriber = subscriber;
    this.#log = log;
    subscriber.on('smessage', (channel: string, raw: string) => {
      const sinks = this.#users.get(channel);
      if (!sinks) return;
      // A revoked session's sockets are closed at once; other events go to every socket.
      const revoked = raw.startsWith('{"type":"revoked"') ? (JSON.parse(raw) as { sid: string }).sid : undefined;
      for (const sink of [...sinks]) {
        if (revoked === undefined) sink.send(raw);
        else if (sink.sessionId === revoked) sink.close(CloseCode.unauthorized, 'session ended');
      }
    });
    subscriber.on('ready', () => {
      if (this.#connectedOnce && this.#users.size > 0) {
        this.#subscriber.ssubscribe(...this.#users.keys()).catch((err: unknown) => this.#log.warn({ err }, 'user channel resubscribe failed'));
      }
      this.#connectedOnce = true;
    });
    if (subscriber.status === 'ready') this.#connectedOnce = true;
  }

  add(username: string, sink: FrameSink): void {
    const channel = userKeys.events(usernameKey(username));
    let sinks = this.#users.get(channel);
    if (!sinks) {
      sinks = new Set();
      this.#users.set(channel, sinks);
      this.#subscriber.ssubscribe(channel).catch((err: unknown) => this.#log.warn({ err, channel }, 'user channel subscribe failed'));
    }
    sinks.add(sink);
  }

  remove(username: string, sink: FrameSink): void {
    const channel = userKeys.events(usernameKey(username));
    const sinks = this.#users.get(channel);
    if (!sinks?.delete(sink) || sinks.size > 0) return;
    this.#users.delete(channel);
    this.#subscriber.sunsubscribe(channel).catch((err: unknown) => this.#log.warn({ err, channel }, 'user channel unsubscribe failed'));
  }
}
