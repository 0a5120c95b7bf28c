import type { VariantMetadata } from './variant-metadata.js';

const MAX_LABELS_SHOWN = 20;

function fence(lang: string, code: string): string {
  return `\`\`\`${lang}\n${code.trimEnd()}\n\`\`\``;
}

/** The README of a variant package, written from its `variant.json`. */
export function renderModelCard(m: VariantMetadata): string {
  const a = m.architecture;
  const p = a.preprocessing;
  const lines: string[] = [`# ${m.name}`, ''];
  if (m.description) lines.push(m.description, '');
  lines.push(
    `An EfficientNetV2-family image classifier for TensorFlow.js, packaged for [effnet](https://www.npmjs.com/package/@effnet/core).`,
    '',
    '## Model',
    '',
    '| | |',
    '|---|---|',
    `| architecture | \`${a.name}\` (${a.stages.length} stages, head ${a.headChannels} channels) |`,
    `| parameters | ${m.parameterCount.toLocaleString('en-US')} |`,
    `| classes | ${a.numClasses} |`,
    `| train size | ${a.trainSize} |`,
    `| eval size | ${a.evalSize} |`,
    `| input | RGB 0..255, resized (${p.interpolation ?? 'bilinear'}) to ${p.size ?? a.evalSize}, then \`(x * ${p.scale} + ${p.offset} - mean) / std\` with mean [${p.mean.join(', ')}], std [${p.std.join(', ')}] |`,
  );
  if (m.cropPct !== undefined) lines.push(`| centre crop | ${m.cropPct} |`);
  lines.push(`| license | ${m.license} |`, `| version | ${m.version} |`, '');
  if (m.metrics && Object.keys(m.metrics).length) {
    lines.push('## Metrics', '', '| metric | value |', '|---|---:|', ...Object.entries(m.metrics).map(([k, v]) => `| ${k} | ${v} |`), '');
  }
  if (m.labels?.length) {
    const shown = m.labels.slice(0, MAX_LABELS_SHOWN).map((l) => `\`${l}\``).join(', ');
    const more = m.labels.length > MAX_LABELS_SHOWN ? `, ... (${m.labels.length} in all, see \`variant.json\`)` : '';
    lines.push('## Labels', '', shown + more, '');
  }
  if (m.recipe) lines.push('## Training recipe', '', fence('json', JSON.stringify(m.recipe, null, 2)), '');
  if (m.source) lines.push('## Source of the weights', '', fence('json', JSON.stringify(m.source, null, 2)), '');
  lines.push(
    '## Use',
    '',
    fence(
      'ts',
      `import '@tensorflow/tfjs-backend-cpu';
import { registerBlocks } from '@effnet/blocks';
import { loadVariant } from '@effnet/hub';

registerBlocks();
const model = await loadVariant('${m.name}@^${m.version}');`,
    ),
    '',
    'or from the command line:',
    '',
    fence('sh', `npx effnet pull ${m.name}@^${m.version} --out ./model\nnpx effnet predict ./model image.jpg`),
    '',
    `Made by ${m.createdBy} on ${m.dateSaved.slice(0, 10)}. The architecture, preprocessing and labels are in \`variant.json\`.`,
    '',
  );
  return lines.join('\n');
}
