import { EffnetError } from '../errors.js';
import { closestNames, wildcardToRegExp } from './wildcard.js';

/** Every plugin is a plain object with a unique name. */
export interface NamedPlugin {
  /** Unique name within its kind, e.g. `efficientnetv2-s` or `mbconv`. */
  readonly name: string;
  /** One line saying what the plugin is. */
  readonly description?: string;
}

/**
 * A named set of plugins of one kind (variants, block types, scaling rules, ...). Plain typed
 * objects in a Map: `register` throws on a duplicate name, `get` throws with the known names when a
 * name is unknown, `list` takes wildcards.
 */
export class PluginRegistry<T extends NamedPlugin> {
  private readonly items = new Map<string, T>();

  /** @param kind singular noun used in messages, e.g. `variant`, `block type`. */
  constructor(readonly kind: string) {}

  /** Adds a plugin; throws if the name is taken (unregister first to replace one). */
  register(plugin: T): T {
    if (!plugin || typeof plugin.name !== 'string' || plugin.name.length === 0) {
      throw new EffnetError('BAD_PLUGIN', `a ${this.kind} plugin needs a non-empty string "name"`, {
        field: 'name',
        expected: 'non-empty string',
        actual: plugin?.name,
      });
    }
    if (this.items.has(plugin.name)) {
      throw new EffnetError('DUPLICATE_PLUGIN', `${this.kind} "${plugin.name}" is already registered`);
    }
    this.items.set(plugin.name, plugin);
    return plugin;
  }

  /**
   * Registers `plugin` unless this very object is already registered under its name. A different
   * object under the same name still throws, so two packages cannot silently shadow each other.
   */
  ensure(plugin: T): T {
    const existing = this.items.get(plugin.name);
    if (existing === plugin) return plugin;
    if (existing && sameDefinition(existing, plugin)) return existing;
    return this.register(plugin);
  }

  /** Removes a plugin; returns whether it was there. */
  unregister(name: string): boolean {
    return this.items.delete(name);
  }

  /** True when a plugin of that name is registered. */
  has(name: string): boolean {
    return this.items.has(name);
  }

  /** The plugin called `name`; throws an error that lists the known names when there is none. */
  get(name: string): T {
    const found = this.items.get(name);
    if (found) return found;
    const known = this.names();
    const near = closestNames(name, known);
    const hint = near.length ? ` Did you mean ${near.map((n) => `"${n}"`).join(' or ')}?` : '';
    const list = known.length ? known.join(', ') : '(none registered)';
    throw new EffnetError('UNKNOWN_PLUGIN', `unknown ${this.kind} "${name}".${hint} Known ${this.kind}s: ${list}`);
  }

  /** The plugin called `name`, or undefined. */
  find(name: string): T | undefined {
    return this.items.get(name);
  }

  /** Registered names in registration order. */
  names(): string[] {
    return [...this.items.keys()];
  }

  /** Plugins whose name matches any of the wildcard patterns (`efficientnetv2-*`); all when none. */
  list(...patterns: string[]): T[] {
    const all = [...this.items.values()];
    if (patterns.length === 0) return all;
    const res = patterns.map(wildcardToRegExp);
    return all.filter((p) => res.some((re) => re.test(p.name)));
  }
}

function sameDefinition(a: unknown, b: unknown): boolean {
  // Two copies of one package (ESM and CJS) register structurally identical plain objects.
  try {
    const withCode = (_k: string, v: unknown) => (typeof v === 'function' ? `fn:${String(v)}` : v);
    return JSON.stringify(a, withCode) === JSON.stringify(b, withCode);
  } catch {
    return false;
  }
}
