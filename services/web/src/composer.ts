// Writing: the composer (Enter sends, Shift+Enter a new line), the message it replies to,
// typing notices, and sending with pending, confirmed and failed states.
import { ApiError, type Message } from './api.ts';
import { excerpt, messageItem, setState } from './render.ts';
import { $, api, live, state } from './state.ts';
import { scrollToEnd, viewOf } from './timeline.ts';
import { problemText } from './ui.ts';

export function setReply(m: Message | undefined): void {
  state.replyTo = m;
  $('reply-bar').hidden = !m;
  $('reply-to').textContent = m ? `Replying to ${m.user}: ${excerpt(m.text, 100)}` : '';
}

async function send(event: Event): Promise<void> {
  event.preventDefault();
  const input = $<HTMLTextAreaElement>('text');
  const text = input.value;
  if (!text.trim()) return;
  input.value = '';
  const clientMsgId = crypto.randomUUID();
  const replyTo = state.replyTo?.seq;
  const shown = { user: state.username, text, ts: Date.now(), room: state.active, ...(replyTo === undefined ? {} : { replyTo }) };
  const li = messageItem(shown, true, false, viewOf(shown));
  li.dataset.clientMsgId = clientMsgId;
  state.pending.set(clientMsgId, { li, text, room: state.active, replyTo });
  setReply(undefined);
  $('pending').append(li);
  scrollToEnd();
  await deliver(clientMsgId);
}

/** Sends (or resends: the same clientMsgId can never make a second message) a pending message. */
async function deliver(clientMsgId: string): Promise<void> {
  const pending = state.pending.get(clientMsgId);
  if (!pending) return;
  setState(pending.li, 'pending');
  try {
    await api.send(pending.room, pending.text, clientMsgId, pending.replyTo);
    // Confirmed when it arrives live with its seq (onMessage).
  } catch (err) {
    // A refusal (muted, banned, ...) is said in words; a lost connection needs none.
    const reason = err instanceof ApiError && err.status !== 0 ? problemText(err) : undefined;
    setState(pending.li, 'failed', () => void deliver(clientMsgId), reason);
    pending.li.title = (err as Error).message;
  }
}

export function wireComposer(): void {
  $('send').addEventListener('submit', (event) => void send(event));
  $('text').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      $<HTMLFormElement>('send').requestSubmit();
    } else if (event.key === 'Escape' && state.replyTo) {
      setReply(undefined);
    }
  });
  $('text').addEventListener('input', () => {
    if (Date.now() - state.lastTypingSent < 2000) return;
    state.lastTypingSent = Date.now();
    live.typing(state.active);
  });
  $('reply-cancel').addEventListener('click', () => {
    setReply(undefined);
    $('text').focus();
  });
}
