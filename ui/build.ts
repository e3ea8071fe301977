/**
 * Builds the web UI into dist/ui: ui/src/main.ts and ui/styles.css bundled by esbuild under
 * content-hashed names in dist/ui/assets, and index.html pointing at them. `npx tsx ui/build.ts`.
 * The result is swapped in whole, so a running ccmon never serves half a build.
 */
import { copyFileSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const UI = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(UI, '..');
export const UI_OUT_DIR = join(ROOT, 'dist', 'ui');
/** Everything the build reads. */
export const UI_SOURCE_DIR = UI;

export interface UiBuild {
  readonly outDir: string;
  /** asset file name -> bytes */
  readonly assets: Readonly<Record<string, number>>;
}

export async function buildUi(outDir: string = UI_OUT_DIR): Promise<UiBuild> {
  const staging = `${outDir}.tmp-${process.pid}-${Date.now()}`;
  const assetsDir = join(staging, 'assets');
  mkdirSync(assetsDir, { recursive: true });
  try {
    const result = await build({
      entryPoints: { app: join(UI, 'src', 'main.ts'), styles: join(UI, 'styles.css') },
      outdir: assetsDir,
      entryNames: '[name]-[hash]',
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
      minify: true,
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'warning',
      // The bundle is built for this app alone; nothing from the build machine goes in.
      define: { 'process.env.NODE_ENV': '"production"' },
    });
    const names = Object.keys(result.metafile.outputs).map((path) => basename(path));
    const pick = (prefix: string, ext: string): string => {
      const name = names.find((n) => n.startsWith(`${prefix}-`) && n.endsWith(ext));
      if (name === undefined) throw new Error(`the UI build produced no ${prefix}*${ext}`);
      return name;
    };
    const html = readFileSync(join(UI, 'index.html'), 'utf8')
      .replace('%APP%', pick('app', '.js'))
      .replace('%STYLES%', pick('styles', '.css'));
    writeFileSync(join(staging, 'index.html'), html);
    copyFileSync(join(UI, 'favicon.svg'), join(staging, 'favicon.svg'));
    // ccmon serves these to browsers that take gzip (src/server/static-routes.ts).
    for (const name of names.filter((n) => n.endsWith('.js') || n.endsWith('.css'))) {
      const file = join(assetsDir, name);
      writeFileSync(`${file}.gz`, gzipSync(readFileSync(file), { level: 9 }));
    }
    rmSync(outDir, { recursive: true, force: true });
    try {
      renameSync(staging, outDir);
    } catch (error) {
      // Another build finished first and took the place; its output is the same.
      if (!['ENOTEMPTY', 'EEXIST'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
    }
    const assets: Record<string, number> = {};
    for (const name of names) assets[name] = statSync(join(outDir, 'assets', name)).size;
    return { outDir, assets };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  buildUi().then(
    ({ outDir, assets }) => {
      for (const [name, bytes] of Object.entries(assets)) {
        if (!name.endsWith('.map'))
          console.log(`  ${relative(ROOT, join(outDir, 'assets', name))}  ${(bytes / 1024).toFixed(1)} KiB`);
      }
    },
    (error: unknown) => {
      console.error(`ui build failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
