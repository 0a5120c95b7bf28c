// The PyTorch anchor of the main job's training benchmark builds the same network as effnet: same
// parameter count, from the layout effnet writes. Under CI a machine without PyTorch gets Debian's
// python3-torch (or the check fails); elsewhere the check says what to install.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const python = '/usr/bin/python3';
const hasTorch = () => spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

describe('the PyTorch anchor of the main job benchmark', () => {
  it('builds a network with exactly the parameters of effnet\'s main-job model', () => {
    if (!hasTorch() && process.env.CI === 'true' && process.getuid?.() === 0) {
      execFileSync('bash', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch'], { stdio: 'inherit' });
    }
    if (!hasTorch()) {
      if (process.env.CI === 'true') throw new Error('PyTorch is missing and could not be installed: apt-get install python3-torch');
      console.warn('PyTorch is not installed (apt-get install python3-torch): the anchor was not checked');
      return;
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'effnet-anchor-'));
    try {
      const layout = path.join(dir, 'layout.json');
      execFileSync(process.execPath, [path.join(root, 'bench/main-job-training.mjs'), '--layout', layout], { stdio: ['ignore', 'ignore', 'inherit'] });
      const ours = (JSON.parse(readFileSync(layout, 'utf8')) as { params: number }).params;
      const theirs = JSON.parse(execFileSync(python, [path.join(root, 'bench/torch_main_job_step.py'), layout, '--count'], { encoding: 'utf8' })).params as number;
      expect(ours).toBe(119_528);
      expect(theirs).toBe(ours);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
