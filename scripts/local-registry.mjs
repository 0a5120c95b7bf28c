// A local npm registry (verdaccio) on 127.0.0.1, for `npm run release:local` and the tests that
// publish and install packages. Storage and users live in a folder of the caller's choosing; the
// registry has no uplinks unless the caller names packages to proxy.
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** A free TCP port on the loopback interface. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/** The registry npm is set to use (when it is not a loopback one), else the public registry. */
export function upstreamRegistry(env = process.env) {
  const configured = env.npm_config_registry;
  return configured && !/^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(configured) ? configured : 'https://registry.npmjs.org/';
}

/**
 * The verdaccio config: htpasswd users (publishing needs one), the given package patterns, and
 * every other name unknown (no `**` uplink), so nothing but what the caller allows is served.
 * @param {string} dir
 * @param {{ proxy?: string[], uplink?: string }} options
 */
export function registryConfig(dir, options = {}) {
  /** @type {Record<string, unknown>} */
  const packages = {};
  const proxied = options.proxy ?? [];
  for (const name of proxied) packages[name] = { access: '$all', publish: '$authenticated', proxy: 'upstream' };
  packages['**'] = { access: '$all', publish: '$authenticated', unpublish: '$authenticated' };
  return {
    storage: path.join(dir, 'storage'),
    auth: { htpasswd: { file: path.join(dir, 'htpasswd'), max_users: 1000 } },
    ...(proxied.length ? { uplinks: { upstream: { url: options.uplink ?? upstreamRegistry(), timeout: '60s', cache: true } } } : {}),
    packages,
    web: { enable: false },
    max_body_size: '2gb',
    publish: { allow_offline: true },
    log: { type: 'stdout', format: 'pretty', level: 'warn' },
  };
}

async function waitUntilUp(url, child, output, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited with code ${child.exitCode}:\n${output.join('')}`);
    try {
      const res = await fetch(`${url}-/ping`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`verdaccio did not answer on ${url} within ${timeoutMs} ms:\n${output.join('')}`);
}

/**
 * Starts verdaccio on 127.0.0.1 and a free port (or `port`), with its storage in `dir`.
 * `proxy` lists package names (patterns allowed) fetched from `uplink` and cached; all other
 * packages are only what gets published. Returns the URL, `addUser` (creates a user and returns
 * its token) and `stop`.
 * @param {{ dir: string, port?: number, proxy?: string[], uplink?: string, timeoutMs?: number }} options
 */
export async function startLocalRegistry(options) {
  const dir = path.resolve(options.dir);
  await mkdir(dir, { recursive: true });
  const port = options.port ?? (await freePort());
  const configFile = path.join(dir, 'config.yaml');
  // JSON is YAML, so the config needs no YAML writer.
  await writeFile(configFile, JSON.stringify(registryConfig(dir, options), null, 2));
  const bin = path.join(path.dirname(require.resolve('verdaccio/package.json')), 'bin', 'verdaccio');
  const child = spawn(process.execPath, ['--no-deprecation', '--no-warnings', bin, '--config', configFile, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const output = [];
  child.stdout.on('data', (d) => output.push(String(d)));
  child.stderr.on('data', (d) => output.push(String(d)));
  const url = `http://127.0.0.1:${port}/`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitUntilUp(url, child, output, options.timeoutMs ?? 30_000);
  } catch (e) {
    await stop();
    throw e;
  }
  /** Creates a user (or logs in) and returns its token. */
  const addUser = async (name = 'publisher', password = 'local-registry-password') => {
    const res = await fetch(`${url}-/user/org.couchdb.user:${encodeURIComponent(name)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, password }),
    });
    const body = /** @type {{ token?: string, error?: string }} */ (await res.json());
    if (!body.token) throw new Error(`verdaccio refused to create user ${name}: ${body.error ?? res.status}`);
    return body.token;
  };
  return { url, port, dir, storage: path.join(dir, 'storage'), output, addUser, stop };
}

