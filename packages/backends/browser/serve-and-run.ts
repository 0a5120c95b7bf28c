import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Headers that make the page cross-origin isolated, so that it can share memory with workers. */
const ISOLATED = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** Chromium from Debian's `chromium` package. */
export const CHROMIUM = '/usr/bin/chromium';

/** Bundles the test page with esbuild into one ESM file. */
export async function bundlePage(): Promise<string> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [path.join(here, 'page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    external: ['node:*', 'webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
    alias: {
      '@effnet/core': path.join(here, '../../core/src/index.ts'),
      '@effnet/blocks': path.join(here, '../../blocks/src/index.ts'),
      '@effnet/scaling': path.join(here, '../../scaling/src/index.ts'),
      '@effnet/backends': path.join(here, '../src/index.ts'),
    },
  });
  return result.outputFiles[0]!.text;
}

/** Serves the page, the wasm binaries and one golden case on 127.0.0.1 (a free port). */
export async function servePage(goldenDir: string): Promise<{ server: Server; url: string }> {
  const script = await bundlePage();
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = async (file: string, type: string) => {
      if (!existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': type, ...ISOLATED });
      res.end(await readFile(file));
    };
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html', ...ISOLATED }).end('<!doctype html><meta charset="utf-8"><title>effnet</title><body>running<script type="module" src="/page.js"></script>');
    } else if (url.pathname === '/page.js') {
      res.writeHead(200, { 'content-type': 'text/javascript', ...ISOLATED }).end(script);
    } else if (url.pathname.startsWith('/wasm/')) {
      void send(path.join(wasmDir, path.basename(url.pathname)), 'application/wasm');
    } else if (url.pathname.startsWith('/golden/')) {
      void send(path.join(goldenDir, path.basename(url.pathname)), 'application/octet-stream');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, url: `http://127.0.0.1:${port}/` };
}

/** Flags for headless Chromium with WebGPU on a closed network (the profile folder is passed separately). */
export function chromiumArgs(): string[] {
  return [
    '--headless=new',
    '--no-sandbox',
    '--enable-unsafe-webgpu',
    '--enable-features=Vulkan',
    '--use-angle=swiftshader',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ];
}
