import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/**
 * Frames written to one socket within one turn of the event loop leave in one system call.
 *
 * `ws` writes every frame with its own `writev`. When a burst of live events reaches the
 * gateway at once (a busy room: ioredis hands over every event of one read in one go), that
 * was one system call per frame per socket, which the benchmark's profiles showed as most of
 * the gateway's CPU. Corking a socket at its first frame of the turn and uncorking every
 * corked socket in `setImmediate` makes it one call per socket per turn. A lone frame still
 * leaves in the same loop iteration, after the I/O callbacks already due.
 */
const corked: Socket[] = [];

function flush(): void {
  const sockets = corked.splice(0);
  for (const socket of sockets) socket.uncork();
}

/** The TCP socket under a server-side WebSocket (`ws` keeps it in `_socket`; it has no public accessor). */
export function rawSocket(ws: WebSocket): Socket | undefined {
  return (ws as unknown as { _socket?: Socket })._socket;
}

/** Holds the socket's writes until the end of this turn of the event loop. */
export function corkForTurn(socket: Socket): void {
  // Corked already this turn (ws's own cork around a frame is released before it returns).
  if (socket.writableCorked > 0) return;
  socket.cork();
  if (corked.push(socket) === 1) setImmediate(flush);
}

/**
 * A frame for `n` sockets: encoded to UTF-8 once when it goes to more than one, instead of
 * once per socket inside `ws`.
 */
export function encodedFor(frame: string, n: number): string | Buffer {
  return n > 1 ? Buffer.from(frame) : frame;
}
