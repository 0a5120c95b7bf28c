/** The TF.js packages a consumer of the local registry may install next to @effnet packages. */
export const TFJS_PEERS: string[];

/** Package names the TF.js peers need (from package-lock.json), for a local registry to proxy. */
export function tfjsPeerClosure(names?: string[]): Promise<string[]>;

/** Versions every @effnet package (changesets snapshot) in a staged copy and publishes it to `registry` under the dist-tag `local`. */
export function releaseLocal(registry: string, env?: NodeJS.ProcessEnv): Promise<{ names: string[]; versions: Record<string, string> }>;
