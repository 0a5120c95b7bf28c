import { FieldChecker, validateArchitectureSpec, type ArchitectureSpec } from '@effnet/core';
import semver from 'semver';
import { checkPackageName } from './package-spec.js';

/** Version of the `variant.json` layout. */
export const VARIANT_SCHEMA_VERSION = 1;

/**
 * What `variant.json` holds: the metadata of a model published as an npm package. The fields
 * follow keras-hub presets (config, parameter count, date saved) and timm's pretrained configs
 * (input size, preprocessing, crop, labels, license, where the weights come from).
 */
export interface VariantMetadata {
  schemaVersion: number;
  /** npm package name, e.g. `@my-org/flowers-b0`. */
  name: string;
  /** Semantic version of this release. */
  version: string;
  /** One line saying what the model is. */
  description?: string;
  /** SPDX license of the weights (`UNLICENSED` when none is given). */
  license: string;
  /** The full architecture: stages, head, classes, train and eval sizes, input preprocessing. */
  architecture: ArchitectureSpec;
  /** Class names, index = class id. */
  labels?: string[];
  /** Fraction of the image kept by the centre crop at evaluation (timm's `crop_pct`). */
  cropPct?: number;
  /** Trainable parameters. */
  parameterCount: number;
  /** Evaluation results, e.g. `{ "imagenet-1k/top1": 85.7 }`. */
  metrics?: Record<string, number>;
  /** How the weights were trained: epochs, optimizer, progressive-learning stages, augmentation... */
  recipe?: Record<string, unknown>;
  /** Where the weights come from (a converted checkpoint, a paper, a dataset). */
  source?: Record<string, unknown>;
  /** Search words. */
  tags?: string[];
  /** The tool that wrote the package, e.g. `@effnet/hub 0.1.0`. */
  createdBy: string;
  /** ISO date the package was made. */
  dateSaved: string;
}

/** Fields a user may set in the `--metadata` file of `effnet pack`. */
export const USER_METADATA_KEYS = ['description', 'license', 'labels', 'cropPct', 'metrics', 'recipe', 'source', 'tags'] as const;

/** User-supplied metadata merged into `variant.json`. */
export type UserMetadata = Partial<Pick<VariantMetadata, (typeof USER_METADATA_KEYS)[number]>>;

const KEYS = ['schemaVersion', 'name', 'version', 'architecture', 'parameterCount', 'createdBy', 'dateSaved', ...USER_METADATA_KEYS] as const;

/** Checks the optional, user-settable fields of variant metadata; shared by `variant.json` and `--metadata` files. */
export function readUserMetadata(c: FieldChecker, o: Record<string, unknown>): UserMetadata {
  const out: UserMetadata = {};
  if (o.description !== undefined) out.description = c.string(o.description, 'description');
  if (o.license !== undefined) out.license = c.string(o.license, 'license');
  if (o.labels !== undefined) out.labels = c.array(o.labels, 'labels').map((l, i) => c.string(l, `labels[${i}]`));
  if (o.cropPct !== undefined) out.cropPct = c.number(o.cropPct, 'cropPct', { above: 0, max: 1 });
  if (o.metrics !== undefined) {
    const m = c.object(o.metrics, 'metrics');
    out.metrics = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, c.number(v, `metrics.${k}`)]));
  }
  if (o.recipe !== undefined) out.recipe = c.object(o.recipe, 'recipe');
  if (o.source !== undefined) out.source = c.object(o.source, 'source');
  if (o.tags !== undefined) out.tags = c.array(o.tags, 'tags').map((t, i) => c.string(t, `tags[${i}]`));
  return out;
}

/** Checks untrusted JSON as `variant.json`; the error names the first bad field. */
export function validateVariantMetadata(value: unknown, file = 'variant.json'): VariantMetadata {
  const c = new FieldChecker(file, 'INVALID_VARIANT');
  const o = c.object(value, 'variant');
  c.onlyKeys(o, KEYS, '');
  const schemaVersion = c.int(o.schemaVersion, 'schemaVersion', { min: 1 });
  if (schemaVersion > VARIANT_SCHEMA_VERSION) c.fail('schemaVersion', 'is newer than this @effnet/hub understands; upgrade it', `<= ${VARIANT_SCHEMA_VERSION}`, schemaVersion);
  const name = checkPackageName(c.string(o.name, 'name'), c, 'name');
  const version = c.string(o.version, 'version');
  if (!semver.valid(version)) c.fail('version', 'is not a semantic version', 'e.g. 1.0.0', version);
  const architecture = validateArchitectureSpec(o.architecture, `${file}: architecture`);
  const user = readUserMetadata(c, o);
  if (user.labels && architecture.numClasses > 0 && user.labels.length !== architecture.numClasses) {
    c.fail('labels', 'needs one label per class', `${architecture.numClasses} labels`, `${user.labels.length}`);
  }
  const dateSaved = c.string(o.dateSaved, 'dateSaved');
  if (Number.isNaN(Date.parse(dateSaved))) c.fail('dateSaved', 'is not an ISO date', 'e.g. 2025-01-31T12:00:00.000Z', dateSaved);
  return {
    schemaVersion,
    name,
    version,
    ...user,
    license: user.license ?? c.string(o.license, 'license'),
    architecture,
    parameterCount: c.int(o.parameterCount, 'parameterCount', { min: 0 }),
    createdBy: c.string(o.createdBy, 'createdBy'),
    dateSaved,
  };
}
