import type { ClientState, Ledger } from '../traffic.ts';

/** One load-generator client: a WebSocket subscribed to one room. */
export interface BenchSocket {
  readonly state: ClientState;
  /**
   * Connects and subscribes to the room, resuming after what the client has already seen;
   * resolves once subscribed. After a close it did not ask for, it does the same by itself.
   */
  connect(): Promise<void>;
  /** Cuts the connection at once, as a network failure would, and does not reconnect. */
  drop(): void;
  /** Closes for good. */
  close(): void;
}

export interface SocketOptions {
  url: string;
  user: string;
  token: string;
  state: ClientState;
  ledger: Ledger;
}

/** Options of every generator WebSocket: the generator trusts the server's UTF-8 and compresses nothing. */
export const WS_OPTIONS = { perMessageDeflate: false, skipUTF8Validation: true, handshakeTimeout: 30_000 } as const;

/** Delay before a client reconnects by itself after an unexpected close. */
export const RECONNECT_DELAY_MS = 50;
