import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { createApiServer } from './api.js';
import { json } from './routes.js';
import { CONTENT_SECURITY_POLICY, isStaticPath, safeJoin, staticRoutes } from './static-routes.js';

const INDEX = '<!doctype html><title>ccmon</title>';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A raw request: node's client sends the path as written, so `..` reaches the server unnormalized. */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const body = (res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function serve(dir: string): Promise<{ server: Server; port: number }> {
  const server = createApiServer({
    routes: [
      { method: 'GET', path: '/api/v1/secret', handle: async () => json({ secret: true }) },
      ...staticRoutes(dir),
    ],
    authorized: (header) => header === 'Bearer T',
    isPublic: isStaticPath,
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port })),
  );
}

describe('static UI files', () => {
  let root: string;
  let ui: string;
  let server: Server;
  let port: number;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'ccmon-static-'));
    ui = join(root, 'ui');
    mkdirSync(join(ui, 'assets'), { recursive: true });
    writeFileSync(join(ui, 'index.html'), INDEX);
    writeFileSync(join(ui, 'assets', 'app-ABC123.js'), 'console.log(1)');
    writeFileSync(join(ui, 'assets', 'app-ABC123.css'), 'body{}');
    writeFileSync(join(ui, 'assets', 'app-ABC123.js.gz'), gzipSync('console.log(1)'));
    writeFileSync(join(ui, 'favicon.svg'), '<svg/>');
    // Files a traversal would reach: beside the folder and in the package root.
    writeFileSync(join(root, 'secret.txt'), 'SECRET');
    writeFileSync(join(ui, 'assets.txt'), 'SECRET');
    ({ server, port } = await serve(ui));
  });

  after(() => {
    server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves index.html at / without a token, with the content security policy', async () => {
    const res = await get(port, '/');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.equal(res.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
    assert.match(CONTENT_SECURITY_POLICY, /^default-src 'self'; /);
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.equal(res.body, INDEX);
    assert.equal((await get(port, '/index.html')).status, 200);
  });

  it('serves hashed assets with their content type and a long cache', async () => {
    const js = await get(port, '/assets/app-ABC123.js');
    assert.equal(js.status, 200);
    assert.match(String(js.headers['content-type']), /^text\/javascript/);
    assert.match(String(js.headers['cache-control']), /max-age=31536000, immutable/);
    assert.equal(js.headers['x-content-type-options'], 'nosniff');
    const css = await get(port, '/assets/app-ABC123.css');
    assert.match(String(css.headers['content-type']), /^text\/css/);
    assert.match(String((await get(port, '/favicon.svg')).headers['content-type']), /^image\/svg\+xml/);
  });

  it('sends the gzip twin to clients that take gzip, and never the .gz file by its own name', async () => {
    const zipped = await get(port, '/assets/app-ABC123.js', { 'accept-encoding': 'gzip, deflate' });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.equal(zipped.headers.vary, 'accept-encoding');
    assert.equal(zipped.body, 'console.log(1)');
    const plain = await get(port, '/assets/app-ABC123.js');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body, 'console.log(1)');
    // No twin: the file itself, whatever the client takes.
    const css = await get(port, '/assets/app-ABC123.css', { 'accept-encoding': 'gzip' });
    assert.equal(css.headers['content-encoding'], undefined);
    assert.equal(css.body, 'body{}');
    assert.equal((await get(port, '/assets/app-ABC123.js.gz')).status, 404);
  });

  it('keeps the API behind the token', async () => {
    assert.equal((await get(port, '/api/v1/secret')).status, 401);
    assert.equal((await get(port, '/api/v1/secret', { authorization: 'Bearer T' })).status, 200);
  });

  it('never answers a path outside the folder', async () => {
    // The URL parser resolves plain dot segments first, which keeps this one inside the folder.
    assert.equal((await get(port, '/assets/../index.html')).body, INDEX);
    const attempts = [
      '/assets/../../secret.txt',
      '/assets/..%2F..%2Fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/assets/..%5C..%5Csecret.txt',
      '/assets/app-ABC123.js%00.png',
      '/assets/%00',
      '/assets/..',
      '/assets/%2e%2e',
      '/assets/.',
      '/assets/',
      '/assets/%2Fetc%2Fpasswd',
      '/assets/..%252f..%252fsecret.txt',
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/secret.txt',
      '/assets.txt',
      // Absolute paths: the file's own, raw and encoded, a drive letter, and an empty segment.
      `/assets/${encodeURIComponent(join(root, 'secret.txt'))}`,
      `/assets${join(root, 'secret.txt')}`,
      `/assets/%2F${encodeURIComponent(join(root, 'secret.txt').slice(1))}`,
      '/assets//etc/passwd',
      '/assets/C:%5Csecret.txt',
      `//${root}/secret.txt`,
      // Backslashes as sent, overlong UTF-8 dots, NUL before an extension.
      '/assets/..\\..\\secret.txt',
      '/assets/%c0%ae%c0%ae/secret.txt',
      '/assets/%c0%ae%c0%ae%c0%afsecret.txt',
      '/assets/..%00/secret.txt',
      '/favicon.svg%00',
    ];
    for (const path of attempts) {
      const res = await get(port, path);
      // 200 only where the URL parser resolved the dot segments back to the folder's index.html.
      assert.ok(res.status !== 200 || res.body === INDEX, `${path}: ${res.status}`);
      assert.ok(!res.body.includes('SECRET'), path);
    }
  });

  it('safeJoin refuses separators, dot segments and control characters', () => {
    const dir = join(tmpdir(), 'x');
    for (const name of [
      '',
      '.',
      '..',
      '../a',
      'a/../b',
      'a/b',
      'a\\b',
      '..\\a',
      'a\0b',
      '/etc/passwd',
      'a\nb',
      join(dir, '..', 'secret.txt'),
      'C:\\secret.txt',
      '\0',
      '..\0',
    ]) {
      assert.equal(safeJoin(dir, name), undefined, JSON.stringify(name));
    }
    assert.equal(safeJoin(dir, 'app-1.js'), join(dir, 'app-1.js'));
  });

  it('answers 503 with the build command when the UI is not built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'ccmon-static-empty-'));
    const other = await serve(join(empty, 'missing'));
    try {
      const res = await get(other.port, '/');
      assert.equal(res.status, 503);
      assert.match(res.body, /npm run build/);
      assert.equal((await get(other.port, '/assets/app.js')).status, 404);
    } finally {
      other.server.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
