/**
 * @effnet/hub: model variants as npm packages. Pack a saved model with its metadata and a model
 * card, publish it to any npm registry, and pull or load it by name, with integrity checks and
 * safe extraction. Node.js only.
 * @packageDocumentation
 */
export { VARIANT_SCHEMA_VERSION, USER_METADATA_KEYS, readUserMetadata, validateVariantMetadata, type UserMetadata, type VariantMetadata } from './variant-metadata.js';
export { checkPackageName, parsePackageSpec, type PackageSpec } from './package-spec.js';
export { packVariant, CORE_PEER_RANGE, type PackOptions, type PackResult } from './pack-variant.js';
export { renderModelCard } from './model-card.js';
export { entryModuleFiles, RESOLVED_SPEC_RULE, type EntryModuleFiles } from './entry-module.js';
export { publishVariant, type PublishOptions, type PublishResult } from './publish-variant.js';
export { pullVariant, readVariantDir, type PullOptions, type PulledVariant, type VariantOrigin } from './pull-variant.js';
export { loadVariant } from './load-variant.js';
export { listPretrained, PRETRAINED_KIND, type PretrainedVariant } from './pretrained-registry.js';
export { defaultCacheDir, cachedVersionDir, mayReplaceVariantDir } from './variant-cache.js';
export { integrityOf, verifyIntegrity } from './integrity.js';
export { readPackageTarball, safeEntryPath, type TarFile } from './tar-reader.js';
export { DEFAULT_REGISTRY, readNpmConfig, registryFor, authorizationFor, nerfDart, type NpmConfig } from './npm-config.js';
export { fetchPackument, pickVersion, type Packument, type PackumentVersion, type RegistryAccess } from './registry-client.js';
