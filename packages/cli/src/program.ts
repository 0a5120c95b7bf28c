import { Command, Option } from 'commander';
import { isEffnetError } from '@effnet/core';
import { parseCount, parseResolution, readArchArgument } from './read-arch.js';
import { registerBuiltins } from './setup.js';

/** Where a command writes. */
export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIO: CliIO = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
};

/** Builds the `effnet` command. Commands load their heavy modules lazily. */
export function buildProgram(io: CliIO = defaultIO): Command {
  registerBuiltins();
  const program = new Command('effnet')
    .description('EfficientNetV2 for TensorFlow.js: inspect, convert and run models')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  program
    .command('models')
    .description('list every registered variant with params, MACs at its eval size, train and eval size')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { formatModelRows, listModelRows } = await import('./commands/models.js');
      const rows = listModelRows();
      io.out(opts.json ? JSON.stringify(rows, null, 2) : formatModelRows(rows));
    });

  program
    .command('info')
    .description('per-stage table (block type, repeats, kernel, stride, expand, channels, SE, params, MACs) and totals')
    .argument('<arch>', 'variant name or config.json')
    .option('--classes <n>', 'number of classes (default: the config\'s, else 1000)')
    .option('--resolution <size>', 'input size, N or HxW (default: the eval size)')
    .option('--json', 'print JSON')
    .action(async (arch: string, opts: { classes?: string; resolution?: string; json?: boolean }) => {
      const { formatInfo, infoReport } = await import('./commands/info.js');
      const report = infoReport(await readArchArgument(arch), {
        ...(opts.classes !== undefined ? { classes: parseCount(opts.classes, '--classes', 0) } : {}),
        ...(opts.resolution !== undefined ? { resolution: parseResolution(opts.resolution) } : {}),
      });
      io.out(opts.json ? JSON.stringify(report, null, 2) : formatInfo(report));
    });

  program
    .command('convert')
    .description('convert a checkpoint into a TF.js model folder (model.json + weight shards)')
    .argument('<file>', 'checkpoint: a timm .safetensors, a Keras .h5 or .weights.h5')
    .addOption(new Option('--from <format>', 'checkpoint format').choices(['timm', 'keras']).makeOptionMandatory())
    .requiredOption('--arch <arch>', 'variant name or config.json the checkpoint was made for')
    .option('--classes <n>', 'number of classes (default: from the checkpoint; a Keras _notop file gets a new classifier)')
    .requiredOption('--out <dir>', 'output folder')
    .action(async (file: string, opts: { from: string; arch: string; classes?: string; out: string }) => {
      const { convertCheckpoint } = await import('./commands/convert.js');
      const r = await convertCheckpoint(file, {
        from: opts.from,
        arch: opts.arch,
        out: opts.out,
        ...(opts.classes !== undefined ? { classes: parseCount(opts.classes, '--classes') } : {}),
      });
      const head = r.headFromFile === false ? (r.numClasses > 0 ? ', new classifier (train it)' : ', no classifier') : '';
      io.out(`wrote ${r.out}: ${r.name}, ${r.numClasses} classes, ${r.params.toLocaleString('en-US')} params${r.convention === 'timm' ? " (timm's channel rounding)" : ''}${head}; input: ${r.preprocessing}`);
    });

  program
    .command('export')
    .description("write a saved model's weights for Keras (.h5, load_weights) or timm (.safetensors)")
    .argument('<modelDir>', 'folder written by convert or save')
    .addOption(new Option('--to <format>', 'target format').choices(['keras-h5', 'timm-safetensors']).makeOptionMandatory())
    .requiredOption('--out <file>', 'output file')
    .action(async (modelDir: string, opts: { to: string; out: string }) => {
      const { exportModel } = await import('./commands/export.js');
      const r = await exportModel(modelDir, opts);
      io.out(`wrote ${r.out}: ${r.format}, ${r.bytes.toLocaleString('en-US')} bytes\n${r.hints.map((h) => `  ${h}`).join('\n')}`);
    });

  program
    .command('predict')
    .description('run a saved model on .npy tensors (NHWC float32, fed as they are) or images (jpg/png, the model\'s preprocessing)')
    .argument('<modelDir>', 'folder written by convert or save')
    .argument('<inputs...>', '.npy, .png or .jpg files')
    .option('--top <k>', 'classes to show per image', '5')
    .option('--json', 'print JSON')
    .option('--save-logits <file>', 'write the raw logits as .npy [N, classes]')
    .option('--backend <name>', 'TF.js backend: cpu, wasm, webgpu, webgl, tfjs-node, tfjs-node-gpu or auto', 'auto')
    .action(async (modelDir: string, inputs: string[], opts: { top: string; json?: boolean; saveLogits?: string; backend: string }) => {
      const { formatPredictions, predictFiles } = await import('./commands/predict.js');
      const r = await predictFiles(modelDir, inputs, {
        top: parseCount(opts.top, '--top'),
        backend: opts.backend,
        ...(opts.saveLogits ? { saveLogits: opts.saveLogits } : {}),
      });
      io.out(opts.json ? JSON.stringify({ backend: r.backend, predictions: r.predictions }, null, 2) : formatPredictions(r));
    });

  program
    .command('backends')
    .description('every TF.js backend: available here or why not, and a one-line timing')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { formatBackends, listBackends } = await import('./commands/backends.js');
      const { startBackendInfo } = await import('./backend.js');
      const rows = await listBackends();
      const auto = await startBackendInfo('auto');
      const skipped = auto.skipped.map((s) => `${s.name} skipped: ${s.reason}`);
      io.out(opts.json ? JSON.stringify({ auto: auto.name, rows }, null, 2) : [formatBackends(rows, auto.name), ...skipped].join('\n'));
    });

  program
    .command('backend')
    .description('manage backends')
    .command('setup')
    .description('build @tensorflow/tfjs-node(-gpu) against the TensorFlow a pip install brought (Linux)')
    .argument('<variant>', 'tfjs-node or tfjs-node-gpu')
    .requiredOption('--from-python', 'use the TensorFlow of a Python install (pip install tensorflow-cpu==2.21.0)')
    .option('--python <exe>', 'Python to ask for TensorFlow', 'python3')
    .option('--prefix <dir>', 'project folder to install into', '.')
    .option('--no-save', 'do not add the package to package.json')
    .action(async (variant: string, opts: { python: string; prefix: string; save: boolean }) => {
      if (variant !== 'tfjs-node' && variant !== 'tfjs-node-gpu') {
        const { EffnetError } = await import('@effnet/core');
        throw new EffnetError('BAD_OPTION', 'unknown backend to set up', { field: '<variant>', expected: 'tfjs-node | tfjs-node-gpu', actual: variant });
      }
      const { setupTfjsNodeFromPython } = await import('@effnet/backends');
      const r = await setupTfjsNodeFromPython({ variant, python: opts.python, prefix: opts.prefix, save: opts.save, log: (l) => io.err(`> ${l}`) });
      io.out(`${variant} built against TensorFlow ${r.verifiedVersion} (${r.tensorflowDir}); try: effnet backends`);
    });

  program
    .command('pack')
    .description('make an npm package from a saved model: variant.json, model.json + shards, a README model card, an entry module')
    .argument('<modelDir>', 'folder written by convert or saveModel')
    .requiredOption('--name <name>', 'npm package name, e.g. @my-org/flowers-b0')
    .option('--version <version>', 'semantic version', '1.0.0')
    .option('--out <dir>', 'output folder (default: <name>-<version>)')
    .option('--metadata <file>', 'JSON with description, license, metrics, recipe, source, tags, labels, cropPct')
    .option('--license <spdx>', 'license of the weights (default UNLICENSED)')
    .option('--description <text>', 'one line about the model')
    .action(async (modelDir: string, opts: { name: string; version: string; out?: string; metadata?: string; license?: string; description?: string }) => {
      const { packCommand } = await import('./commands/pack.js');
      const r = await packCommand(modelDir, opts);
      io.out(`wrote ${r.dir}: ${r.metadata.name}@${r.metadata.version}, ${r.metadata.architecture.name}, ${r.metadata.architecture.numClasses} classes, ${r.metadata.parameterCount.toLocaleString('en-US')} params`);
    });

  program
    .command('publish')
    .description('publish a packed variant (folder or .tgz) with npm publish; credentials from .npmrc or NPM_TOKEN')
    .argument('<package>', 'folder written by pack, or its .tgz')
    .option('--registry <url>', "registry URL (default: npm's setting)")
    .option('--tag <tag>', 'dist-tag', 'latest')
    .action(async (target: string, opts: { registry?: string; tag: string }) => {
      const { publishVariant } = await import('@effnet/hub');
      const r = await publishVariant(target, { tag: opts.tag, ...(opts.registry ? { registry: opts.registry } : {}) });
      io.out(`published ${r.name}@${r.version} to ${r.registry} (tag ${r.tag})`);
    });

  program
    .command('pull')
    .description('fetch a variant package into the cache (checking its integrity), or into a folder with --out')
    .argument('<spec>', '@scope/name, @scope/name@^1.2.0 or @scope/name@tag')
    .option('--registry <url>', "registry URL (default: npm's setting)")
    .option('--out <dir>', 'copy the package into this folder')
    .option('--cache <dir>', 'cache folder (default: $EFFNET_CACHE or ~/.cache/effnet/variants)')
    .option('--offline', 'use node_modules and the cache only')
    .action(async (spec: string, opts: { registry?: string; out?: string; cache?: string; offline?: boolean }) => {
      const { pullCommand } = await import('./commands/pull.js');
      const r = await pullCommand(spec, {
        ...(opts.registry ? { registry: opts.registry } : {}),
        ...(opts.out ? { out: opts.out } : {}),
        ...(opts.cache ? { cacheDir: opts.cache } : {}),
        ...(opts.offline ? { offline: true } : {}),
      });
      io.out(`${r.name}@${r.version} (${r.origin}) in ${r.dir}`);
    });

  program
    .command('tour')
    .description('the model table with one timed forward pass per variant at a small resolution')
    .option('--resolution <size>', 'input size', '64')
    .option('--variants <pattern>', 'wildcard over variant names', '*')
    .option('--backend <name>', 'TF.js backend: cpu, wasm, webgpu, webgl, tfjs-node, tfjs-node-gpu or auto', 'auto')
    .option('--json', 'print JSON')
    .action(async (opts: { resolution: string; variants: string; backend: string; json?: boolean }) => {
      const { formatTour, runTour } = await import('./commands/tour.js');
      const { backend, rows } = await runTour({
        resolution: parseCount(opts.resolution, '--resolution', 8),
        backend: opts.backend,
        pattern: opts.variants,
        log: opts.json ? () => {} : io.err,
      });
      io.out(opts.json ? JSON.stringify({ backend, rows }, null, 2) : `\n${formatTour(rows)}`);
    });

  return program;
}

/**
 * Runs the CLI on `argv` (without `node` and the script). Returns the exit code: 0 on success,
 * 1 for bad input (printed as one line, no stack trace), 2 for usage errors.
 */
export async function runCli(argv: string[], io: CliIO = defaultIO): Promise<number> {
  const program = buildProgram(io);
  program.exitOverride();
  (await import('@tensorflow/tfjs-core')).enableProdMode(); // no console banners in the CLI
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    const err = e as { code?: string; exitCode?: number; message?: string };
    if (typeof err.code === 'string' && err.code.startsWith('commander.')) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : (err.exitCode ?? 2);
    }
    if (isEffnetError(e)) {
      io.err(`effnet: ${e.message}`);
      return 1;
    }
    io.err(`effnet: unexpected error: ${(e as Error)?.stack ?? String(e)}`);
    return 70;
  }
}
