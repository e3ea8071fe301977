/** `promtool check metrics` over an exposition text. A missing promtool fails the test, it never skips. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export const PROMTOOL = '/usr/bin/promtool';

export interface PromtoolResult {
  readonly code: number | null;
  /** everything promtool printed: parse errors and lint problems */
  readonly output: string;
}

export function checkMetrics(text: string): Promise<PromtoolResult> {
  if (!existsSync(PROMTOOL)) {
    return Promise.reject(
      new Error(`${PROMTOOL} is missing: install the Debian package "prometheus" (it ships promtool)`),
    );
  }
  return new Promise((resolve, reject) => {
    const child = spawn(PROMTOOL, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(text);
  });
}
