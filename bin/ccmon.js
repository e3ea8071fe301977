#!/usr/bin/env -S node --max-old-space-size=512
// The heap limit above keeps a busy `ccmon serve` lean: records live until their commit, a second or
// less, and with Node's default limit V8 lets such garbage grow the heap to 150 MB and more before
// collecting it (V8 lets the heap grow to up to 4x what is live with a limit of 1 GB or more, about
// 1.5x with 512 MB). Measured: 482 -> 385 MB peak at full load for a few percent of throughput
// (docs/benchmarks.md, knee section).
// `node bin/ccmon.js` runs without it.
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
