import { VERSION } from '../version.js';
import { canaryCommand } from './canary.js';
import { clientCommand } from './client.js';
import { deployCommand } from './deploy.js';
import { grafanaCommand } from './grafana.js';
import { prometheusCommand } from './prometheus.js';
import { reportCommand } from './report.js';
import { serveCommand } from './serve.js';
import { verifyCommand } from './verify.js';

export interface Command {
  readonly summary: string;
  run(args: string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  serve: serveCommand,
  report: reportCommand,
  prometheus: prometheusCommand,
  deploy: deployCommand,
  grafana: grafanaCommand,
  client: clientCommand,
  verify: verifyCommand,
  canary: canaryCommand,
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `ccmon ${VERSION}: Claude Code monitoring

Usage: ccmon <command> [options]

Commands:
${lines.join('\n')}

Run \`ccmon <command> --help\` for a command's options. With no command, ccmon serves.`;
}

/** Entry point: picks the command; each command parses its own options. Returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') {
    console.log(usage());
    return 0;
  }
  if (first === '--version' || first === '-v') {
    console.log(VERSION);
    return 0;
  }
  if (first === undefined || first.startsWith('-')) return serveCommand.run(argv);
  const command = COMMANDS[first];
  if (command === undefined) {
    console.error(`ccmon: unknown command "${first}"\n\n${usage()}`);
    return 2;
  }
  return command.run(rest);
}
