import { EffnetError, type StageSpec } from '@effnet/core';

/** Checks the stage fields both built-in block types need. */
export function validateConvStage(stage: StageSpec, field: string): void {
  const bad = (key: string, expected: string, actual: unknown): never => {
    throw new EffnetError('INVALID_SPEC', `${stage.type} cannot build this stage`, { field: `${field}.${key}`, expected, actual });
  };
  if (stage.kernel % 2 !== 1) bad('kernel', 'an odd kernel size', stage.kernel);
  if (stage.stride !== 1 && stage.stride !== 2) bad('stride', '1 or 2', stage.stride);
  if (stage.seRatio !== undefined && (stage.seRatio < 0 || stage.seRatio > 1)) bad('seRatio', 'between 0 and 1', stage.seRatio);
}
