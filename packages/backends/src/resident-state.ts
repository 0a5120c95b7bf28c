import { EffnetError, type ResidentState } from '@effnet/core';

/** A copy of a resident training state (every vector copied), as the engines keep it when it is loaded. */
export function copyResidentState(state: ResidentState): ResidentState {
  return {
    weights: state.weights.slice(),
    statistics: state.statistics.slice(),
    slots: Object.fromEntries(Object.entries(state.slots).map(([k, v]) => [k, v.slice()])),
    ...(state.ema ? { ema: state.ema.slice() } : {}),
    ...(state.emaStatistics ? { emaStatistics: state.emaStatistics.slice() } : {}),
  };
}

/** The state held on the host, or the error of an engine that was never given one. */
export function pendingState(pending: ResidentState | undefined): ResidentState {
  if (!pending) throw new EffnetError('NO_STATE', 'resident training has no state yet: load one first');
  return pending;
}
