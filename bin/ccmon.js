#!/usr/bin/env -S MALLOC_ARENA_MAX=1 DUCKDB_JE_MALLOC_CONF=narenas:1 node --max-old-space-size=512 --max-semi-space-size=8
// The settings above keep a busy `ccmon serve` lean (docs/benchmarks.md, knee section):
// - a 512 MB heap limit: with Node's default (a quarter of the machine's memory) V8 lets garbage grow
//   the heap to up to 4x what is live before collecting it, with 512 MB about 1.5x (482 -> 385 MB peak);
// - 8 MB semi-spaces (16 MB by default): records die young, since the writer appends them to DuckDB
//   as they arrive, so a smaller young generation costs no throughput;
// - one malloc arena instead of up to eight per core, for DuckDB's threads too (dashboard queries were
//   no slower). These two together: 342-356 MB peak instead of 370-377, same throughput;
// - one jemalloc arena for DuckDB's own allocator (one per core by default), which it reads from
//   DUCKDB_JE_MALLOC_CONF: the overload benchmark's peak 289-291 MB instead of 307-312, the closed
//   loop's 249-251 instead of 270-283, same throughput (overload section).
// `node bin/ccmon.js` runs without them.
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
