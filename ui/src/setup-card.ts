import { el } from './dom.js';
import { settingsJson, shellBlock, TOKEN_PLACEHOLDER, type SetupInfo } from './setup-block.js';

/* The empty state: what to paste so Claude Code sends its telemetry to this ccmon. */

function copyable(title: string, content: string, testId: string): HTMLElement {
  const pre = el('pre', { class: 'code setup-block', 'data-testid': testId }, content);
  const button = el('button', { type: 'button', class: 'copy' }, 'Copy');
  button.addEventListener('click', () => {
    const done = (): void => {
      button.textContent = 'Copied';
      setTimeout(() => (button.textContent = 'Copy'), 1500);
    };
    if (navigator.clipboard !== undefined) {
      navigator.clipboard.writeText(content).then(done, () => selectText(pre));
    } else selectText(pre);
  });
  return el(
    'div',
    { class: 'setup-item' },
    el('div', { class: 'setup-item-head' }, el('span', {}, title), button),
    pre,
  );
}

/** Without clipboard access (plain http to another host), select the block for Ctrl-C. */
function selectText(node: Node): void {
  const range = document.createRange();
  range.selectNodeContents(node);
  const selection = window.getSelection();
  selection?.removeAllRanges();
  selection?.addRange(range);
}

export function setupCard(info: SetupInfo): HTMLElement {
  return el(
    'section',
    { class: 'setup-card', 'data-testid': 'empty-state' },
    el('h2', {}, 'No telemetry yet'),
    el(
      'p',
      {},
      'ccmon is running, but nothing from Claude Code has arrived. Add this to ~/.zshrc or ~/.bashrc, open a new terminal and start claude; the dashboard fills within a minute.',
    ),
    copyable('Shell', shellBlock(info), 'setup-shell'),
    el('p', {}, 'Or put the same settings in the env block of ~/.claude/settings.json:'),
    copyable('~/.claude/settings.json', settingsJson(info), 'setup-json'),
    info.tokenRequired
      ? el('p', { class: 'muted' }, `This ccmon requires a token: replace ${TOKEN_PLACEHOLDER} with it.`)
      : null,
    /^http:\/\/(127\.|\[::1\]|localhost)/.test(info.grpcEndpoint)
      ? el(
          'p',
          { class: 'muted' },
          'The receivers listen on this machine only. For other machines, start ccmon with --otlp-grpc 0.0.0.0:4317 --token SECRET and use this host’s address.',
        )
      : null,
  );
}
