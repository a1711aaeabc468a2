// REST calls to the ChitChat API (same origin), with the session token.

export interface Reaction {
  emoji: string;
  count: number;
  /** Whether the signed-in user reacted with it (history; absent in frames). */
  me?: boolean;
}

export interface Message {
  id: string;
  room: string;
  seq: number;
  user: string;
  text: string;
  ts: number;
  clientMsgId?: string;
  /** Seq of the parent message (same room). */
  replyTo?: number;
  mentions?: string[];
  editedAt?: number;
  deleted?: true;
  reactions?: Reaction[];
  /** Posted by a bot of the room (`user` is the bot's name). */
  bot?: true;
}

export interface RoomSummary {
  room: string;
  headSeq: number;
  lastMessageAt: number | null;
  online: number;
  joined: boolean;
  unread?: number;
  readSeq?: number;
  private?: boolean;
  title?: string;
  /** Of DMs (and of private rooms when known from their RoomInfo). */
  members?: string[];
}

export interface RoomInfo {
  room: string;
  private?: boolean;
  title?: string;
  members?: string[];
  admins?: string[];
  /** `GET /v1/rooms/{room}`: whether the caller may moderate the room. */
  admin?: boolean;
}

/** An entry of the user's inbox: a mention left unread, or a webhook that was disabled. */
export type Notification =
  | { type: 'mention'; room: string; seq: number; messageId: string; user: string; text: string; at: number }
  | { type: 'webhook_disabled'; room: string; webhookId: string; url: string; at: number };

/** What a change to a message (edit, delete, reaction) answers: the event's id. */
export interface EventAccepted {
  id: string;
  room: string;
  messageId: string;
}

/** An error answered by the API (problem+json), or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, detail: string) {
    super(detail);
    this.status = status;
    this.code = code;
  }
}

const enc = encodeURIComponent;

export class Api {
  token = '';
  /** Called when the API says the session is gone (401). */
  onUnauthorized: () => void = () => {};

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, 'network', 'cannot reach the server');
    }
    if (res.status === 204) return undefined as T;
    const data = (await res.json().catch(() => ({}))) as T & { code?: string; detail?: string };
    if (!res.ok) {
      if (res.status === 401 && this.token) this.onUnauthorized();
      throw new ApiError(res.status, data.code ?? 'error', data.detail ?? res.statusText);
    }
    return data;
  }

  join(username: string): Promise<{ token: string; username: string }> {
    return this.call('POST', '/v1/sessions', { username });
  }

  leave(): Promise<void> {
    return this.call('DELETE', '/v1/sessions/current');
  }

  rooms(): Promise<{ rooms: RoomSummary[] }> {
    return this.call('GET', '/v1/rooms');
  }

  room(room: string): Promise<RoomInfo> {
    return this.call('GET', `/v1/rooms/${enc(room)}`);
  }

  createRoom(title: string, members: string[]): Promise<RoomInfo> {
    return this.call('POST', '/v1/rooms', { private: true, title, members });
  }

  dm(user: string): Promise<RoomInfo> {
    return this.call('POST', '/v1/dms', { user });
  }

  page(room: string, before?: number): Promise<{ messages: Message[]; headSeq: number }> {
    const query = before === undefined ? 'limit=50' : `limit=50&before=${before}`;
    return this.call('GET', `/v1/rooms/${enc(room)}/messages?${query}`);
  }

  message(room: string, seq: number): Promise<Message> {
    return this.call('GET', `/v1/rooms/${enc(room)}/messages/${seq}`);
  }

  send(room: string, text: string, clientMsgId: string, replyTo?: number): Promise<{ id: string }> {
    return this.call('POST', `/v1/rooms/${enc(room)}/messages`, replyTo === undefined ? { text, clientMsgId } : { text, clientMsgId, replyTo });
  }

  edit(room: string, id: string, text: string): Promise<EventAccepted> {
    return this.call('PATCH', `/v1/rooms/${enc(room)}/messages/${enc(id)}`, { text });
  }

  remove(room: string, id: string): Promise<EventAccepted> {
    return this.call('DELETE', `/v1/rooms/${enc(room)}/messages/${enc(id)}`);
  }

  react(room: string, id: string, emoji: string, add: boolean): Promise<EventAccepted> {
    return this.call(add ? 'PUT' : 'DELETE', `/v1/rooms/${enc(room)}/messages/${enc(id)}/reactions/${enc(emoji)}`);
  }

  read(room: string, seq: number): Promise<{ seq: number }> {
    return this.call('POST', `/v1/rooms/${enc(room)}/read`, { seq });
  }

  notifications(): Promise<{ notifications: Notification[] }> {
    return this.call('GET', '/v1/notifications');
  }

  clearNotifications(): Promise<void> {
    return this.call('DELETE', '/v1/notifications');
  }

  mute(room: string, user: string, seconds: number): Promise<{ room: string; user: string; until: number | string }> {
    return this.call('POST', `/v1/rooms/${enc(room)}/mutes`, { user, seconds });
  }

  ban(room: string, user: string): Promise<{ room: string; user: string }> {
    return this.call('POST', `/v1/rooms/${enc(room)}/bans`, { user });
  }
}
