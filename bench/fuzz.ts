/**
 * The long fuzzing run: the properties of test/fuzz.test.ts and test/fuzz-normalize.test.ts with many
 * inputs each. Usage: npx tsx bench/fuzz.ts [runs per property unit, default 20000]
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { exitWithUsageIfAsked } from './usage.js';

exitWithUsageIfAsked(import.meta.url);

const runs = Number(process.argv[2] ?? 20_000);
const files = ['fuzz.test.ts', 'fuzz-normalize.test.ts'].map((f) =>
  join(import.meta.dirname, '..', 'test', f),
);
const started = Date.now();
const child = spawn(process.execPath, ['--import', 'tsx/esm', '--test', ...files], {
  env: { ...process.env, CCMON_FUZZ_RUNS: String(runs) },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let output = '';
child.stdout.on('data', (chunk: Buffer) => {
  output += chunk.toString();
  process.stdout.write(chunk);
});
const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
// Each file prints its own count.
const tried = [...output.matchAll(/fuzz: (\d+) inputs tried/g)].reduce((n, m) => n + Number(m[1]), 0);
const seconds = (Date.now() - started) / 1000;
console.log(
  `\nfuzz: ${tried} inputs tried in ${seconds.toFixed(1)} s (${runs} runs per property unit), ${code === 0 ? 'no failure' : 'FAILED'}`,
);
process.exitCode = code;
