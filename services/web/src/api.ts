// REST calls to the ChitChat API (same origin), with the session token.

export interface Message {
  id: string;
  room: string;
  seq: number;
  user: string;
  text: string;
  ts: number;
  clientMsgId?: string;
}

export interface RoomSummary {
  room: string;
  headSeq: number;
  lastMessageAt: number | null;
  online: number;
  joined: boolean;
  unread?: number;
  readSeq?: number;
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

  page(room: string, before?: number): Promise<{ messages: Message[]; headSeq: number }> {
    const query = before === undefined ? 'limit=50' : `limit=50&before=${before}`;
    return this.call('GET', `/v1/rooms/${room}/messages?${query}`);
  }

  send(room: string, text: string, clientMsgId: string): Promise<{ id: string }> {
    return this.call('POST', `/v1/rooms/${room}/messages`, { text, clientMsgId });
  }

  read(room: string, seq: number): Promise<{ seq: number }> {
    return this.call('POST', `/v1/rooms/${room}/read`, { seq });
  }
}
