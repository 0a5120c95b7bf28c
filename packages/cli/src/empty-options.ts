import { EffnetError } from '@effnet/core';
import type { Command } from 'commander';

/**
 * Refuses options given an empty value (`--sizes ''`, `--out ''`, `--version ''`): commands read
 * an empty string as "not given" and would silently fall back to a default. Installed as the
 * program's `preAction` hook, so it covers every command.
 */
export function refuseEmptyOptions(_program: Command, action: Command): void {
  for (const option of action.options) {
    const value: unknown = action.getOptionValue(option.attributeName());
    if (typeof value === 'string' && value.trim() === '') {
      throw new EffnetError('BAD_OPTION', 'must not be empty', { field: option.long ?? option.flags, expected: 'a value', actual: '""' });
    }
  }
}
