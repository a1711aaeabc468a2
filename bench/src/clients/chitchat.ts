import type WebSocket from 'ws';
import { integerAfter, tagOf } from '../message.ts';
import { ReconnectingSocket } from './socket.ts';

/**
 * A ChitChat client as the protocol describes it: `subscribe {room, since}` after each
 * (re)connect with the last seq it saw, and a check of every `message` frame: seq must be
 * exactly one more than the last (a smaller one is a duplicate, a larger one a gap).
 */
export class ChitChatSocket extends ReconnectingSocket {
  /** Whether the client has subscribed before (and so resumes with `since`). */
  #resume = false;

  protected url(): string {
    return `${this.options.url}?token=${encodeURIComponent(this.options.token)}`;
  }

  protected override onOpen(ws: WebSocket): void {
    const frame = this.#resume ? { type: 'subscribe', room: this.state.room.name, since: this.state.lastSeq } : { type: 'subscribe', room: this.state.room.name };
    ws.send(JSON.stringify(frame));
  }

  protected onText(_ws: WebSocket, frame: string): void {
    const state = this.state;
    // Presence frames (whole user lists, the gateway's or the Lua script's JSON) are counted
    // and skipped first, without a scan of their length for a message type.
    if (frame.startsWith('{"type":"presence"')) {
      this.options.ledger.presenceFrames++;
      this.options.ledger.presenceBytes += frame.length;
    } else if (frame.includes('"type":"message"')) {
      const seq = integerAfter(frame, '"seq":');
      const tag = tagOf(frame);
      if (seq === undefined || tag === undefined) return;
      if (seq <= state.lastSeq) {
        state.duplicates++;
        return;
      }
      if (seq > state.lastSeq + 1) state.gaps++;
      state.lastSeq = seq;
      this.options.ledger.deliver(state, tag);
    } else if (frame.includes('"type":"subscribed"')) {
      // A first subscription (no since) starts at the head; a resume keeps its last seq.
      if (!this.#resume) state.lastSeq = integerAfter(frame, '"headSeq":') ?? 0;
      this.#resume = true;
      this.subscribed();
    } else if (frame.includes('"type":"error"')) {
      this.options.ledger.fail(`ws-error:${/"code":"([^"]+)"/.exec(frame)?.[1] ?? 'unknown'}`);
    }
  }
}
