/** A running local registry. */
export interface LocalRegistry {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  port: number;
  dir: string;
  /** verdaccio's storage: `<storage>/@scope/name/{package.json, name-1.0.0.tgz}`. */
  storage: string;
  /** What verdaccio printed. */
  output: string[];
  /** Creates a user (or logs in) and returns its token. */
  addUser(name?: string, password?: string): Promise<string>;
  stop(): Promise<void>;
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number>;

/** The registry npm is set to use (when it is not a loopback one), else the public registry. */
export function upstreamRegistry(env?: NodeJS.ProcessEnv): string;

/** The verdaccio config for a registry in `dir`. */
export function registryConfig(dir: string, options?: { proxy?: string[]; uplink?: string }): Record<string, unknown>;

/** Starts verdaccio on 127.0.0.1 with its storage in `dir`; `proxy` names packages fetched from `uplink`. */
export function startLocalRegistry(options: { dir: string; port?: number; proxy?: string[]; uplink?: string; timeoutMs?: number }): Promise<LocalRegistry>;
