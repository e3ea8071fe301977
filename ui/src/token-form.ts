import { el } from './dom.js';

/** Where the API token is kept: this tab only, gone when it closes. */
const TOKEN_KEY = 'ccmon.token';

/** Used only when sessionStorage is refused (some private modes): the token then lasts until a reload. */
let inMemory: string | null = null;

export function currentToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? inMemory;
  } catch {
    return inMemory;
  }
}

function saveToken(token: string): void {
  inMemory = token;
  try {
    sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // kept in memory only
  }
}

/**
 * A modal form asking for the server's token; resolves once one is entered and stored.
 * `rejected`: the token in use was refused, so say so.
 */
export function askForToken(rejected: boolean): Promise<void> {
  return new Promise((resolve) => {
    const input = el('input', {
      type: 'password',
      name: 'token',
      autocomplete: 'current-password',
      placeholder: 'token',
      'aria-label': 'API token',
    });
    const form = el(
      'form',
      { class: 'token-form' },
      el('h2', {}, 'This ccmon needs a token'),
      el(
        'p',
        {},
        rejected
          ? 'The token was not accepted. Enter the one ccmon serve was started with (--token or CCMON_TOKEN).'
          : 'Enter the token ccmon serve was started with (--token or CCMON_TOKEN). It is kept for this tab only.',
      ),
      input,
      el('button', { type: 'submit', class: 'primary' }, 'Continue'),
    );
    const overlay = el('div', { class: 'overlay', role: 'dialog', 'aria-modal': 'true' }, form);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (token === '') return;
      saveToken(token);
      overlay.remove();
      resolve();
    });
    document.body.appendChild(overlay);
    input.focus();
  });
}
