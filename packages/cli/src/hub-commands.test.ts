import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseNpy } from '@effnet/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedGolden } from '../../core/src/test-support/paths.js';
import { startRegistryFixture, type RegistryFixture } from '../../hub/src/test-support/registry-fixture.js';
import { BIN, expectCleanError, runEffnet, type Result } from './test-support/run-effnet.js';

let fx: RegistryFixture;

const effnet = (args: string[], env: NodeJS.ProcessEnv = fx.env) => runEffnet(args, { cwd: fx.work, env });
const oneLineError = (r: Result) => expectCleanError(r, /./);

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (npm test does)`);
  fx = await startRegistryFixture();
});
afterAll(() => fx?.cleanup());

describe('effnet pack / publish / pull', () => {
  it('a converted model goes through the registry and predicts the same logits', async () => {
    const golden = sharedGolden('dev-b0');
    const model = path.join(fx.work, 'converted');
    expect((await effnet(['convert', '--from', 'timm', path.join(golden, 'weights.safetensors'), '--arch', 'efficientnetv2-b0', '--out', model])).code).toBe(0);
    const meta = path.join(fx.work, 'meta.json');
    await writeFile(meta, JSON.stringify({ metrics: { 'golden/max-rel-diff': 1e-6 }, recipe: { note: 'random weights, for tests' }, tags: ['test'] }));

    const pack = await effnet(['pack', model, '--name', '@effnet-test/dev-b0', '--version', '0.3.0', '--metadata', meta, '--license', 'Apache-2.0', '--out', path.join(fx.work, 'pkg')]);
    expect(pack.stderr).toBe('');
    expect(pack.stdout).toMatch(/wrote .*pkg: @effnet-test\/dev-b0@0\.3\.0, efficientnetv2-b0, 10 classes, 5,871,514 params/);
    const variant = JSON.parse(await readFile(path.join(fx.work, 'pkg', 'variant.json'), 'utf8')) as { license: string; metrics: unknown; source: unknown };
    expect(variant).toMatchObject({ license: 'Apache-2.0', metrics: { 'golden/max-rel-diff': 1e-6 } });

    const refused = oneLineError(await effnet(['publish', path.join(fx.work, 'pkg'), '--registry', fx.registry.url]));
    expect(refused).toMatch(/^effnet: .*pkg: no credentials for http:\/\/127\.0\.0\.1:\d+\/: log in with `npm login/);

    const published = await effnet(['publish', path.join(fx.work, 'pkg'), '--registry', fx.registry.url], { ...fx.env, NPM_TOKEN: fx.token });
    expect(published.stderr).toBe('');
    expect(published.stdout.trim()).toBe(`published @effnet-test/dev-b0@0.3.0 to ${fx.registry.url} (tag latest)`);
    const again = oneLineError(await effnet(['publish', path.join(fx.work, 'pkg'), '--registry', fx.registry.url], { ...fx.env, NPM_TOKEN: fx.token }));
    expect(again).toMatch(/npm publish failed.*cannot publish over the previously published versions: 0\.3\.0/);

    const clean = path.join(fx.work, 'clean');
    await mkdir(clean);
    const pulled = await effnet(['pull', '@effnet-test/dev-b0@^0.3', '--registry', fx.registry.url, '--out', path.join(clean, 'dev-b0')]);
    expect(pulled.stdout).toMatch(/@effnet-test\/dev-b0@0\.3\.0 \(registry\) in .*clean\/dev-b0/);
    expect((await readdir(path.join(clean, 'dev-b0'))).sort()).toContain('variant.json');

    const input = path.join(golden, 'input.npy');
    const [ours, source] = [path.join(fx.work, 'pulled.npy'), path.join(fx.work, 'source.npy')];
    expect((await effnet(['predict', path.join(clean, 'dev-b0'), input, '--save-logits', ours])).code).toBe(0);
    expect((await effnet(['predict', model, input, '--save-logits', source])).code).toBe(0);
    const a = parseNpy(await readFile(ours));
    const b = parseNpy(await readFile(source));
    expect(a.shape).toEqual([2, 10]);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
  });

  it('pack errors name the field; pull errors name the package', async () => {
    const bad = path.join(fx.work, 'bad-meta.json');
    await writeFile(bad, JSON.stringify({ metrics: { top1: 'high' } }));
    const model = path.join(fx.work, 'converted');
    expect(oneLineError(await effnet(['pack', model, '--name', '@effnet-test/x', '--metadata', bad, '--out', path.join(fx.work, 'never')]))).toMatch(
      /^effnet: .*bad-meta\.json: metrics\.top1: must be a number/,
    );
    expect(existsSync(path.join(fx.work, 'never'))).toBe(false);
    expect(oneLineError(await effnet(['pack', model, '--name', 'Bad Name']))).toMatch(/^effnet: --name: is not a valid npm package name/);
    expect(oneLineError(await effnet(['pull', '@effnet-test/missing', '--registry', fx.registry.url]))).toMatch(/no package @effnet-test\/missing on this registry/);
  });
});
