import { Command, Option } from 'commander';
import { fileSystemReason, isEffnetError } from '@effnet/core';
import { parseCount, parseResolution, readArchArgument } from './read-arch.js';
import { FASHION_MNIST_ARMS, FASHION_MNIST_RECIPE, type FashionMnistArm } from './commands/fashion-mnist-recipe.js';
import { registerBuiltins } from './setup.js';
import { refuseEmptyOptions } from './empty-options.js';

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
  program.hook('preAction', refuseEmptyOptions);

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
    .addOption(new Option('--engine <kind>', 'how passes run: auto (compiled: one TensorFlow graph on tfjs-node, effnet\'s own kernels on wasm; op by op elsewhere), eager, graph').choices(['auto', 'eager', 'graph']).default('auto'))
    .action(async (modelDir: string, inputs: string[], opts: { top: string; json?: boolean; saveLogits?: string; backend: string; engine: 'auto' | 'eager' | 'graph' }) => {
      const { formatPredictions, predictFiles } = await import('./commands/predict.js');
      const r = await predictFiles(modelDir, inputs, {
        top: parseCount(opts.top, '--top'),
        backend: opts.backend,
        engine: opts.engine,
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
    .command('schedule')
    .description('the per-stage settings of a progressive-learning schedule (image size, RandAugment, mixup, CutMix, dropout)')
    .argument('<variant>', 'efficientnetv2-s, -m or -l (-xl for the official preset)')
    .option('--preset <name>', 'paper (Table 6), official (the released code), random-resize, fixed, linear, or a schedule .json', 'paper')
    .option('--epochs <n>', 'total epochs', '350')
    .option('--json', 'print JSON')
    .action(async (variant: string, opts: { preset: string; epochs: string; json?: boolean }) => {
      const { formatSchedule, readSchedule, scheduleRows } = await import('./commands/schedule.js');
      const { parseNumber } = await import('./train-options.js');
      const { evalSizeOf } = await import('@effnet/progressive');
      const s = await readSchedule(opts.preset, variant, parseNumber(opts.epochs, '--epochs', 1e-9));
      io.out(opts.json ? JSON.stringify({ name: s.name, evalSize: evalSizeOf(s), stages: scheduleRows(s) }, null, 2) : formatSchedule(s));
    });

  program
    .command('train')
    .description('train a model with progressive learning; a checkpoint every epoch, metrics as JSON lines, a report at the end')
    .requiredOption('--data <dir>', 'fashion-mnist, a folder of IDX files, or a folder with one sub-folder of images per class')
    .option('--eval-data <dir>', 'evaluation data (default: the t10k IDX files next to --data)')
    .requiredOption('--arch <arch>', 'variant name or config.json')
    .requiredOption('--out <dir>', 'output folder: checkpoint/, metrics.jsonl, model/, report/')
    .option('--schedule <name|file>', 'paper, official, random-resize, fixed, linear, or a schedule .json', 'paper')
    .option('--schedule-for <variant>', 'variant whose preset settings to use (default: --arch when it is s, m or l, else efficientnetv2-s)')
    .option('--sizes <list>', "replace the stages' image sizes, e.g. 16,22,28,32")
    .option('--eval-size <n>', 'evaluation image size (default: the schedule\'s)')
    .option('--epochs <n>', 'total epochs (presets: 350)')
    .option('--batch-size <n>', 'images per optimizer step', '32')
    .option('--micro-batch <n>', 'split each batch into micro-batches of this size (gradient accumulation)')
    .addOption(new Option('--optimizer <name>', 'optimizer').choices(['rmsprop', 'sgd', 'adamw']).default('rmsprop'))
    .option('--lr <x>', 'peak learning rate (default: 0.016 per 256 images)')
    .addOption(new Option('--lr-decay <kind>', 'decay after warm-up').choices(['exponential', 'cosine', 'constant']))
    .option('--warmup-epochs <n>', 'linear warm-up epochs (default 5)')
    .option('--weight-decay <x>', 'weight decay, not on BatchNorm and biases (default 1e-5)')
    .option('--label-smoothing <x>', 'label smoothing (default 0.1)')
    .option('--ema <decay>', 'EMA decay of the evaluated weights, 0 = off (default 0.9999)')
    .option('--drop-path <rate>', 'stochastic-depth rate (default: the model\'s)')
    .option('--seed <n>', 'seed of weights, data order and augmentation', '0')
    .option('--max-steps <n>', 'stop after this many steps (a checkpoint is written)')
    .option('--limit <n>', 'use only the first N training examples')
    .option('--validation <n>', 'hold out the last N training examples: evaluated every epoch, they choose the weights kept at the end')
    .option('--crop <area>', 'random resized crops covering at least this share of each image (0-1], with horizontal flips')
    .option('--flip <p>', 'probability of a horizontal flip with --crop', '0.5')
    .addOption(new Option('--small-images <how>', 'how stages below the largest size make their images: resize (the whole image scaled down) or crop (a random window at the largest size\'s scale)').choices(['resize', 'crop']).default('resize'))
    .option('--eval-every <epochs>', 'evaluate every N epochs, 0 = only at the end', '1')
    .option('--resume', 'continue from the checkpoint in --out')
    .option('--backend <name>', 'TF.js backend: cpu, wasm, webgpu, webgl, tfjs-node, tfjs-node-gpu or auto', 'auto')
    .option('--workers <n|auto>', 'data-parallel worker threads besides the main one (auto: one per extra core on cpu and eager wasm, which use one core in Node; none where the compiled engine uses every core)', 'auto')
    .addOption(new Option('--engine <kind>', 'how passes run: auto (compiled: one TensorFlow graph on tfjs-node, effnet\'s own kernels on wasm; op by op elsewhere), eager, graph').choices(['auto', 'eager', 'graph']).default('auto'))
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const { trainCommand } = await import('./commands/train.js');
      const { parseNumber, parseSizes, parseWorkers } = await import('./train-options.js');
      const str = (k: string) => opts[k] as string | undefined;
      const num = (k: string, flag: string, min = 0, max = Infinity) => (str(k) === undefined ? undefined : parseNumber(str(k)!, flag, min, max));
      const int = (k: string, flag: string, min = 1) => (str(k) === undefined ? undefined : parseCount(str(k)!, flag, min));
      const r = await trainCommand({
        data: str('data')!,
        ...(str('evalData') ? { evalData: str('evalData')! } : {}),
        arch: str('arch')!,
        out: str('out')!,
        schedule: str('schedule')!,
        ...(str('scheduleFor') ? { scheduleFor: str('scheduleFor')! } : {}),
        ...(str('sizes') ? { sizes: parseSizes(str('sizes')!, '--sizes') } : {}),
        ...(str('evalSize') ? { evalSize: int('evalSize', '--eval-size', 8)! } : {}),
        ...(str('epochs') ? { epochs: num('epochs', '--epochs', 1e-9)! } : {}),
        batchSize: int('batchSize', '--batch-size')!,
        ...(str('microBatch') ? { microBatch: int('microBatch', '--micro-batch')! } : {}),
        optimizer: str('optimizer') as 'rmsprop' | 'sgd' | 'adamw',
        ...(str('lr') ? { lr: num('lr', '--lr', 1e-12)! } : {}),
        ...(str('lrDecay') ? { lrDecay: str('lrDecay') as 'exponential' | 'cosine' | 'constant' } : {}),
        ...(str('warmupEpochs') ? { warmupEpochs: num('warmupEpochs', '--warmup-epochs')! } : {}),
        ...(str('weightDecay') ? { weightDecay: num('weightDecay', '--weight-decay')! } : {}),
        ...(str('labelSmoothing') ? { labelSmoothing: num('labelSmoothing', '--label-smoothing', 0, 1)! } : {}),
        ...(str('ema') ? { ema: num('ema', '--ema', 0, 1)! } : {}),
        ...(str('dropPath') ? { dropPath: num('dropPath', '--drop-path', 0, 0.999)! } : {}),
        seed: int('seed', '--seed', 0)!,
        ...(str('maxSteps') ? { maxSteps: int('maxSteps', '--max-steps')! } : {}),
        ...(str('limit') ? { limit: int('limit', '--limit')! } : {}),
        ...(str('validation') ? { validation: int('validation', '--validation')! } : {}),
        ...(str('crop') ? { cropArea: num('crop', '--crop', 1e-6, 1)!, flip: num('flip', '--flip', 0, 1)! } : {}),
        smallImages: str('smallImages') as 'resize' | 'crop',
        evalEvery: num('evalEvery', '--eval-every')!,
        resume: opts.resume === true,
        backend: str('backend')!,
        workers: parseWorkers(str('workers')!),
        engine: str('engine') as 'auto' | 'eager' | 'graph',
        log: (t) => process.stderr.write(t),
        tty: process.stderr.isTTY === true,
      });
      const e = r.evaluation;
      io.out(`${r.finished ? 'trained' : 'stopped'} after ${r.steps} steps (${r.elapsed.toFixed(1)} s on ${r.backend})${e ? `: eval accuracy ${(100 * e.accuracy).toFixed(2)} %, loss ${e.loss.toFixed(4)}` : ''}`);
      if (r.modelDir) io.out(`model: ${r.modelDir}`);
      io.out(`report: ${r.reportDir}`);
    });

  program
    .command('fashion-mnist')
    .description('the main job: train a small EfficientNetV2 on Fashion-MNIST with progressive learning, evaluate the 10k test set, save the model and a report')
    .option('--arch <arch>', 'variant name or config.json (default: EfficientNetV2-B0 blocks at width 0.25, depth 0.25, second stage at stride 1)')
    .option('--epochs <n>', 'total epochs', String(FASHION_MNIST_RECIPE.epochs))
    .option('--batch-size <n>', 'images per step', '256')
    .option('--sizes <list>', 'image size of each stage (rising: progressive learning)', FASHION_MNIST_RECIPE.sizes.join(','))
    .option('--eval-size <n>', 'test image size (default: the last stage size)')
    .addOption(new Option('--arm <schedule>', 'progressive: sizes and regularization rise together; fixed: the last size and regularization throughout; progressive-fixed-reg: sizes rise, regularization fixed at the last stage\'s; random-resize: a size drawn every epoch').choices([...FASHION_MNIST_ARMS]).default('progressive'))
    .option('--fixed', 'same as --arm fixed (the non-progressive baseline)')
    .option('--lr <x>', 'peak learning rate (RMSProp, cosine decay)', String(FASHION_MNIST_RECIPE.lr))
    .option('--ema <decay>', 'EMA decay of the evaluated weights (0: off)', String(FASHION_MNIST_RECIPE.ema))
    .option('--dropout <first,last>', 'dropout before the classifier at the first and last stage', FASHION_MNIST_RECIPE.dropout.join(','))
    .option('--magnitude <first,last>', 'RandAugment magnitude at the first and last stage (0: off)', FASHION_MNIST_RECIPE.magnitude.join(','))
    .option('--mixup <first,last>', 'mixup alpha at the first and last stage (0: off)', FASHION_MNIST_RECIPE.mixup.join(','))
    .option('--crop <area>', 'random resized crops covering at least this share of each image, with flips (0: off)', String(FASHION_MNIST_RECIPE.crop))
    .addOption(new Option('--small-images <how>', 'how stages below the last size make their images: resize (the whole image scaled down) or crop (a random window at the last size\'s scale)').choices(['resize', 'crop']).default(FASHION_MNIST_RECIPE.smallImages))
    .option('--validation <n>', 'training images held out to choose the kept weights (0: none)', String(FASHION_MNIST_RECIPE.validation))
    .option('--limit <n>', 'use only the first N training images')
    .option('--seed <n>', 'seed', '1')
    .option('--predictions <n>', 'test predictions to print', '8')
    .option('--out <dir>', 'output folder (replaced unless --resume)', 'out/fashion-mnist')
    .option('--resume', 'continue from the checkpoint in --out')
    .option('--backend <name>', 'TF.js backend (auto picks the fastest here)', 'auto')
    .option('--workers <n|auto>', 'data-parallel worker threads besides the main one (auto: one per extra core on cpu and eager wasm, which use one core in Node; none where the compiled engine uses every core)', 'auto')
    .addOption(new Option('--engine <kind>', 'how passes run: auto (compiled where the backend has an engine), eager, graph').choices(['auto', 'eager', 'graph']).default('auto'))
    .option('--json', 'print the result as JSON')
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const { runFashionMnist } = await import('./commands/fashion-mnist.js');
      const { parseDropoutRange, parseNumber, parseRange, parseSizes, parseWorkers } = await import('./train-options.js');
      const str = (k: string) => opts[k] as string | undefined;
      const r = await runFashionMnist({
        arm: str('arm') as FashionMnistArm,
        magnitude: parseRange(str('magnitude')!, '--magnitude', 0, 30),
        mixup: parseRange(str('mixup')!, '--mixup', 0, 10),
        crop: parseNumber(str('crop')!, '--crop', 0, 1),
        smallImages: str('smallImages') as 'resize' | 'crop',
        ema: parseNumber(str('ema')!, '--ema', 0, 1),
        validation: parseCount(str('validation')!, '--validation', 0),
        ...(str('arch') ? { arch: str('arch')! } : {}),
        epochs: parseNumber(str('epochs')!, '--epochs', 1e-9),
        batchSize: parseCount(str('batchSize')!, '--batch-size'),
        sizes: parseSizes(str('sizes')!, '--sizes'),
        ...(str('evalSize') ? { evalSize: parseCount(str('evalSize')!, '--eval-size', 8) } : {}),
        fixed: opts.fixed === true,
        lr: parseNumber(str('lr')!, '--lr', 1e-12),
        dropout: parseDropoutRange(str('dropout')!),
        ...(str('limit') ? { limit: parseCount(str('limit')!, '--limit') } : {}),
        seed: parseCount(str('seed')!, '--seed', 0),
        predictions: parseCount(str('predictions')!, '--predictions', 0),
        out: str('out')!,
        resume: opts.resume === true,
        backend: str('backend')!,
        workers: parseWorkers(str('workers')!),
        engine: str('engine') as 'auto' | 'eager' | 'graph',
        log: (t) => process.stderr.write(t),
        tty: process.stderr.isTTY === true,
      });
      if (opts.json) {
        io.out(JSON.stringify(r, null, 2));
        return;
      }
      io.out(`model: ${r.modelDir}\nreport: ${r.reportDir}/index.html`);
      for (const p of r.predictions) io.out(`test image ${p.index}: ${p.label.padEnd(12)} predicted ${p.predicted.padEnd(12)} (${(100 * p.confidence).toFixed(1)} %)${p.label === p.predicted ? '' : '  <- wrong'}`);
      io.out(`test accuracy: ${(100 * r.testAccuracy).toFixed(2)} % (wall time ${r.wallSeconds.toFixed(1)} s)`);
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
    const reason = fileSystemReason(e);
    if (reason) {
      // Disk full, read-only or no permission, met outside effnet's atomic writers: one line with the path.
      const where = (e as NodeJS.ErrnoException).path;
      io.err(`effnet: ${where ? `${where}: ` : ''}${reason} (${err.code})`);
      return 1;
    }
    io.err(`effnet: unexpected error: ${(e as Error)?.stack ?? String(e)}`);
    return 70;
  }
}
