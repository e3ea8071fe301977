import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * `--help` or `-h` for a benchmark script: prints the script's header comment, which is its usage, and
 * exits. Called before parseArgs, which would refuse the flag.
 */
export function exitWithUsageIfAsked(scriptUrl: string): void {
  const args = process.argv.slice(2);
  if (!args.includes('--help') && !args.includes('-h')) return;
  const source = readFileSync(fileURLToPath(scriptUrl), 'utf8');
  const header = /^\/\*\*([\s\S]*?)\*\//.exec(source)?.[1] ?? '';
  const lines = header.split('\n').map((line) => line.replace(/^ \* ?/, '').trimEnd());
  console.log(lines.join('\n').trim());
  process.exit(0);
}
