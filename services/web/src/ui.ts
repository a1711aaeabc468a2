// Small pieces of UI shared by several parts: notices in the corner, problems in words.
import { ApiError } from './api.ts';
import { $ } from './state.ts';

/** A notice in the corner; clicking its text runs `open`. */
export function toast(title: string, body: string, open?: () => void): void {
  const box = document.createElement('div');
  box.className = 'toast show';
  box.setAttribute('role', 'status');
  const header = document.createElement('div');
  header.className = 'toast-header';
  const strong = document.createElement('strong');
  strong.className = 'me-auto toast-title';
  strong.textContent = title;
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'btn-close';
  close.setAttribute('aria-label', 'Close');
  close.addEventListener('click', () => box.remove());
  header.append(strong, close);
  box.append(header);
  if (body || open) {
    const content = open ? document.createElement('button') : document.createElement('div');
    content.className = 'toast-body d-block w-100 text-start border-0 bg-transparent';
    content.textContent = body || 'Open';
    if (open && content instanceof HTMLButtonElement) {
      content.type = 'button';
      content.title = 'Open the room';
      content.addEventListener('click', () => (box.remove(), open()));
    }
    box.append(content);
  }
  $('toasts').append(box);
  window.setTimeout(() => box.remove(), 15_000);
}

/** What went wrong, in words (an API refusal, a network failure). */
export function problemText(err: unknown): string {
  if (!(err instanceof ApiError)) return (err as Error).message;
  if (err.code === 'forbidden') return `Not allowed: ${err.message || 'only room admins can do that'}`;
  if (err.code === 'message_deleted') return 'This message was deleted.';
  return err.message || err.code;
}
