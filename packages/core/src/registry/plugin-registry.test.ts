import { describe, expect, it } from 'vitest';
import { isEffnetError } from '../errors.js';
import { getRegistry } from './global-registry.js';
import { PluginRegistry } from './plugin-registry.js';

describe('PluginRegistry', () => {
  const make = () => {
    const r = new PluginRegistry<{ name: string; size?: number }>('variant');
    r.register({ name: 'efficientnetv2-s' });
    r.register({ name: 'efficientnetv2-m' });
    r.register({ name: 'resnet-50' });
    return r;
  };

  it('throws on a duplicate name', () => {
    const r = make();
    expect(() => r.register({ name: 'efficientnetv2-s' })).toThrow(/already registered/);
  });

  it('lists known names and suggests close ones for an unknown name', () => {
    const r = make();
    let err: unknown;
    try {
      r.get('efficientnetv2-z');
    } catch (e) {
      err = e;
    }
    expect(isEffnetError(err)).toBe(true);
    const msg = (err as Error).message;
    expect(msg).toContain('unknown variant "efficientnetv2-z"');
    expect(msg).toContain('Did you mean');
    expect(msg).toContain('efficientnetv2-s, efficientnetv2-m, resnet-50');
  });

  it('lists with wildcards', () => {
    const r = make();
    expect(r.list('efficientnetv2-*').map((p) => p.name)).toEqual(['efficientnetv2-s', 'efficientnetv2-m']);
    expect(r.list('*-?').map((p) => p.name)).toEqual(['efficientnetv2-s', 'efficientnetv2-m']);
    expect(r.list().length).toBe(3);
    expect(r.list('nothing*')).toEqual([]);
  });

  it('ensure() accepts the same definition twice but not a different one', () => {
    const r = new PluginRegistry<{ name: string; f: () => number }>('block type');
    const a = { name: 'x', f: () => 1 };
    r.ensure(a);
    r.ensure(a);
    r.ensure({ name: 'x', f: () => 1 }); // a structurally identical copy (ESM + CJS)
    expect(() => r.ensure({ name: 'x', f: () => 2 })).toThrow(/already registered/);
  });

  it('rejects a plugin without a name', () => {
    expect(() => new PluginRegistry('block type').register({ name: '' })).toThrow(/non-empty string "name"/);
  });

  it('keeps one store on globalThis', () => {
    getRegistry('variant');
    const key = Symbol.for('@effnet/core.registry.v1');
    const store = (globalThis as unknown as Record<symbol, Map<string, unknown>>)[key];
    expect(store).toBeInstanceOf(Map);
    expect(store!.get('variant') ?? getRegistry('variant')).toBe(getRegistry('variant'));
  });
});
