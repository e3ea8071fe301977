#!/usr/bin/env node
// Older Node.js is refused before anything loads: package.json "engines", which also keeps out the
// releases without the HTTP/2 rapid-reset fix (CVE-2023-44487, fixed in 20.8.1).
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 10)) {
  console.error(`ccmon: needs Node.js 20.10 or newer, this is ${process.versions.node}`);
  process.exit(1);
}

const { main } = await import('../dist/cli/main.js');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(`ccmon: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
