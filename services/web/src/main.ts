// A minimal ChitChat client: join with a username, open a room, see its latest history and
// live messages, send. The full client (rooms sidebar, pending states, presence) builds on it.

interface Message {
  id: string;
  room: string;
  seq: number;
  user: string;
  text: string;
  ts: number;
}

interface Problem {
  code: string;
  detail: string;
}

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const state = {
  token: localStorage.getItem('chitchat.token') ?? '',
  username: localStorage.getItem('chitchat.username') ?? '',
  room: 'general',
  lastSeq: 0,
  ws: undefined as WebSocket | undefined,
  retry: 0,
};

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (state.token) headers.authorization = `Bearer ${state.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 204) return undefined as T;
  const data = (await res.json()) as T | Problem;
  if (!res.ok) {
    if (res.status === 401) signedOut();
    throw Object.assign(new Error((data as Problem).detail), data);
  }
  return data as T;
}

function show(joined: boolean): void {
  $('join').hidden = joined;
  $('chat').hidden = !joined;
  $('leave').hidden = !joined;
  $('whoami').textContent = joined ? `signed in as ${state.username}` : '';
}

function signedOut(): void {
  state.token = '';
  localStorage.removeItem('chitchat.token');
  state.ws?.close();
  show(false);
}

function render(message: Message): void {
  if (message.room !== state.room || message.seq <= state.lastSeq) return;
  state.lastSeq = message.seq;
  const li = document.createElement('li');
  if (message.user === state.username) li.className = 'mine';
  const author = document.createElement('span');
  author.className = 'author';
  author.textContent = message.user;
  const text = document.createElement('span');
  text.textContent = message.text;
  const time = document.createElement('time');
  time.dateTime = new Date(message.ts).toISOString();
  time.textContent = new Date(message.ts).toLocaleTimeString();
  li.append(author, text, time);
  const list = $('messages');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.append(li);
  if (atBottom) list.scrollTop = list.scrollHeight;
}

async function openRoom(room: string): Promise<void> {
  state.room = room;
  state.lastSeq = 0;
  $('messages').replaceChildren();
  $('status').textContent = `#${room}`;
  const page = await api<{ messages: Message[]; headSeq: number }>('GET', `/v1/rooms/${room}/messages?limit=50`);
  for (const m of page.messages) render(m);
  state.lastSeq = Math.max(state.lastSeq, page.headSeq);
  connect();
}

function connect(): void {
  state.ws?.close();
  const url = new URL(`/v1/ws?token=${encodeURIComponent(state.token)}`, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(url);
  state.ws = ws;
  ws.onopen = () => {
    state.retry = 0;
    ws.send(JSON.stringify({ type: 'subscribe', room: state.room, since: state.lastSeq }));
  };
  ws.onmessage = (event) => {
    const frame = JSON.parse(String(event.data)) as { type: string; message?: Message; detail?: string };
    if (frame.type === 'message' && frame.message) render(frame.message);
    else if (frame.type === 'subscribed') $('status').textContent = `#${state.room} · live`;
    else if (frame.type === 'error') $('status').textContent = frame.detail ?? 'error';
  };
  ws.onclose = (event) => {
    if (state.ws !== ws) return;
    if (event.code === 4401) return signedOut();
    // Reconnect with a growing delay and resume from the last seq seen: nothing is lost.
    const delay = Math.min(10_000, 250 * 2 ** state.retry++);
    $('status').textContent = `#${state.room} · reconnecting…`;
    setTimeout(() => {
      if (state.ws === ws) connect();
    }, delay);
  };
}

$('join').addEventListener('submit', (event) => void join(event));

async function join(event: Event): Promise<void> {
  event.preventDefault();
  const username = $<HTMLInputElement>('username').value.trim();
  $('join-error').textContent = '';
  try {
    const session = await api<{ token: string; username: string }>('POST', '/v1/sessions', { username });
    state.token = session.token;
    state.username = session.username;
    localStorage.setItem('chitchat.token', session.token);
    localStorage.setItem('chitchat.username', session.username);
    show(true);
    await openRoom(state.room);
  } catch (err) {
    $('join-error').textContent = (err as Error).message;
  }
}

$('leave').addEventListener('click', () => {
  void api('DELETE', '/v1/sessions/current')
    .catch(() => {})
    .then(signedOut);
});

$('room-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void openRoom($<HTMLInputElement>('room').value.trim()).catch((err: Error) => ($('status').textContent = err.message));
});

$('send').addEventListener('submit', (event) => void send(event));

async function send(event: Event): Promise<void> {
  event.preventDefault();
  const input = $<HTMLTextAreaElement>('text');
  const text = input.value;
  if (!text.trim()) return;
  $('send-error').textContent = '';
  try {
    await api('POST', `/v1/rooms/${state.room}/messages`, { text, clientMsgId: crypto.randomUUID() });
    input.value = '';
  } catch (err) {
    $('send-error').textContent = `not sent: ${(err as Error).message}`;
  }
}

$('text').addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    $<HTMLFormElement>('send').requestSubmit();
  }
});

if (state.token) {
  show(true);
  void openRoom(state.room).catch(() => signedOut());
} else {
  show(false);
}
