import type WebSocket from 'ws';
import { stringAfter, tagOf } from '../message.ts';
import { ReconnectingSocket } from './socket.ts';

/**
 * A Socket.IO client for the baseline, speaking Engine.IO 4 / Socket.IO 5 over `ws` itself
 * rather than with socket.io-client: both systems are then measured through the same
 * WebSocket client code, and the generator spends no more per frame on one than the other.
 *
 * Packets: `0{..}` open, `2`/`3` ping/pong; `40{auth}` connect, `42[event, data]` event,
 * `42<id>[..]` event wanting an ack, `43<id>[..]` the ack.
 *
 * The baseline has no seq: a resume asks for the room's stored messages after the newest
 * stream id seen, less a second (live messages from the two instances can overtake each
 * other by a little), and drops what it already has by message index.
 */
export class SocketIoSocket extends ReconnectingSocket {
  protected url(): string {
    return `${this.options.url}/socket.io/?EIO=4&transport=websocket`;
  }

  protected onText(ws: WebSocket, packet: string): void {
    const state = this.state;
    if (packet.startsWith('42["message"')) {
      const tag = tagOf(packet);
      const id = stringAfter(packet, '"id":"');
      if (tag === undefined || id === undefined) return;
      if (newerId(id, state.lastId)) state.lastId = id;
      this.options.ledger.deliver(state, tag);
    } else if (packet === '2') {
      ws.send('3');
    } else if (packet.startsWith('0{')) {
      ws.send(`40${JSON.stringify({ user: this.options.user })}`);
    } else if (packet.startsWith('40')) {
      const since = state.lastId ? resumeFrom(state.lastId) : undefined;
      ws.send(`420${JSON.stringify(['join', since === undefined ? { room: state.room.name } : { room: state.room.name, since }])}`);
    } else if (packet.startsWith('430')) {
      this.subscribed();
    } else if (packet.startsWith('44')) {
      this.options.ledger.fail('socket.io-connect-error');
    }
  }
}

/** Stream ids `<ms>-<n>` compared as numbers. */
function newerId(a: string, b: string): boolean {
  if (!b) return true;
  const [am = 0, an = 0] = a.split('-').map(Number);
  const [bm = 0, bn = 0] = b.split('-').map(Number);
  return am > bm || (am === bm && an > bn);
}

/** A second before the newest id seen: what may still be missing behind it. */
function resumeFrom(lastId: string): string {
  const ms = Number(lastId.split('-')[0]);
  return `${Math.max(0, ms - 1000)}-0`;
}
