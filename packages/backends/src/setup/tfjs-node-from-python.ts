import { EffnetError } from '@effnet/core';

/** Options of {@link setupTfjsNodeFromPython}. */
export interface TfjsNodeSetupOptions {
  /** `tfjs-node` (CPU) or `tfjs-node-gpu` (CUDA). */
  variant?: 'tfjs-node' | 'tfjs-node-gpu';
  /** Python whose TensorFlow to build against (default `python3`). */
  python?: string;
  /** Project folder to install into (default: the current folder). */
  prefix?: string;
  /** Add the package to the project's package.json (default true). */
  save?: boolean;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** What the setup found and built. */
export interface TfjsNodeSetupResult {
  packageDir: string;
  tensorflowDir: string;
  tensorflowVersion: string;
  binding: string;
  /** The TensorFlow C library version the verified addon reports. */
  verifiedVersion: string;
}

const TFJS_VERSION = '4.22.0';

async function run(cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { ...options, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${(stderr || err.message).trim().split('\n').slice(-5).join(' | ')}`));
      else resolve(stdout);
    });
  });
}

/**
 * Builds `@tensorflow/tfjs-node` (or `-gpu`) against the TensorFlow that a pip install brought
 * (its `libtensorflow_cc.so.2` exports the C API the addon needs), instead of the libtensorflow
 * 2.9.1 download its install script wants: installs the package without scripts, links the pip
 * libraries and headers into its `deps/`, compiles the addon with node-gyp, and verifies it.
 * Linux only.
 */
export async function setupTfjsNodeFromPython(options: TfjsNodeSetupOptions = {}): Promise<TfjsNodeSetupResult> {
  const { existsSync } = await import('node:fs');
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const { createRequire } = await import('node:module');
  const log = options.log ?? (() => {});
  const variant = options.variant ?? 'tfjs-node';
  const python = options.python ?? 'python3';
  const prefix = path.resolve(options.prefix ?? process.cwd());
  if (process.platform !== 'linux') throw new EffnetError('SETUP_FAILED', `building ${variant} against a pip TensorFlow is supported on Linux only`);

  log(`looking for TensorFlow in ${python}`);
  let tfDir: string;
  let tfVersion: string;
  try {
    const out = await run(python, ['-c', 'import json, os, tensorflow as tf; print(json.dumps({"dir": os.path.dirname(tf.__file__), "version": tf.__version__}))']);
    ({ dir: tfDir, version: tfVersion } = JSON.parse(out.trim().split('\n').at(-1)!) as { dir: string; version: string });
  } catch {
    const pkg = variant === 'tfjs-node-gpu' ? '"tensorflow[and-cuda]==2.21.0"' : 'tensorflow-cpu==2.21.0';
    throw new EffnetError('SETUP_FAILED', `no TensorFlow importable by ${python}: install it first (${python} -m pip install ${pkg})`, { field: '--python' });
  }
  const lib = path.join(tfDir, 'libtensorflow_cc.so.2');
  const framework = path.join(tfDir, 'libtensorflow_framework.so.2');
  const include = path.join(tfDir, 'include');
  for (const f of [lib, framework, path.join(include, 'tensorflow/c/c_api.h'), path.join(include, 'tensorflow/c/eager/c_api.h')]) {
    if (!existsSync(f)) throw new EffnetError('SETUP_FAILED', 'this TensorFlow install lacks a file the addon needs', { file: f });
  }
  log(`TensorFlow ${tfVersion} at ${tfDir}`);

  const pkg = `@tensorflow/${variant}`;
  log(`installing ${pkg}@${TFJS_VERSION} without its install script`);
  await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', ...(options.save === false ? ['--no-save'] : []), `${pkg}@${TFJS_VERSION}`], { cwd: prefix });
  const requireHere = createRequire(path.join(prefix, 'package.json'));
  const packageDir = path.dirname(requireHere.resolve(`${pkg}/package.json`));

  log('linking the pip libraries and headers into deps/');
  const deps = path.join(packageDir, 'deps');
  await fs.rm(deps, { recursive: true, force: true });
  await fs.mkdir(path.join(deps, 'lib'), { recursive: true });
  for (const [name, target] of [
    ['libtensorflow.so.2', lib],
    ['libtensorflow.so', lib],
    // The addon records the library's own name (SONAME) as its dependency.
    ['libtensorflow_cc.so.2', lib],
    ['libtensorflow_framework.so.2', framework],
    ['libtensorflow_framework.so', framework],
  ] as const) {
    await fs.symlink(target, path.join(deps, 'lib', name));
  }
  await fs.symlink(include, path.join(deps, 'include'));

  log('compiling the addon with node-gyp (a few minutes)');
  const napi = Math.min(8, Number(process.versions.napi ?? 8));
  const modulePath = path.join(packageDir, `lib/napi-v${napi}`);
  const npmDir = path.dirname(path.dirname(await fs.realpath(process.env.npm_execpath ?? (await run('sh', ['-c', 'command -v npm'])).trim())));
  const gyp = [path.join(npmDir, 'node_modules/node-gyp/bin/node-gyp.js'), path.join(npmDir, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js')].find((p) => existsSync(p));
  if (!gyp) throw new EffnetError('SETUP_FAILED', 'node-gyp (bundled with npm) was not found; install it: npm install -g node-gyp');
  const nodedir = process.env.npm_config_nodedir ?? (await run('npm', ['config', 'get', 'nodedir']).catch(() => '')).trim();
  await run(
    process.execPath,
    [gyp, 'rebuild', `--napi_build_version=${napi}`, '--module_name=tfjs_binding', `--module_path=${modulePath}`, ...(nodedir && nodedir !== 'undefined' ? [`--nodedir=${nodedir}`] : [])],
    { cwd: packageDir },
  );
  const binding = path.join(modulePath, 'tfjs_binding.node');
  if (!existsSync(binding)) throw new EffnetError('SETUP_FAILED', 'node-gyp finished but produced no addon', { file: binding });

  log('verifying');
  const check = `const tf = require(${JSON.stringify(pkg)}); const y = tf.conv2d(tf.ones([1, 8, 8, 3]), tf.ones([3, 3, 3, 2]), 1, 'same'); if (y.shape.join() !== '1,8,8,2') process.exit(2); console.log(tf.backend().binding.TF_Version);`;
  const verifiedVersion = (await run(process.execPath, ['-e', check], { cwd: prefix })).trim().split('\n').at(-1)!;
  log(`${pkg} runs on TensorFlow ${verifiedVersion}`);
  return { packageDir, tensorflowDir: tfDir, tensorflowVersion: tfVersion, binding, verifiedVersion };
}
