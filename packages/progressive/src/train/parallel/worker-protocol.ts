import type { ArchitectureSpec } from '@effnet/core';

/** What a gradient worker is started with (`workerData`). */
export interface GradientWorkerInit {
  /** The model's architecture; the worker builds its own replica. */
  spec: ArchitectureSpec;
  /**
   * A module the worker imports first (file URL or package specifier). It registers what the
   * architecture needs (blocks, variants) and picks the TF.js backend; when its default export is
   * a function, it is awaited with `setupArgument`.
   */
  setupModule: string;
  setupArgument?: unknown;
}

/** One share of a step, sent to a worker. */
export interface ShareRequest {
  id: number;
  /** Flat trainable weights and BatchNorm statistics to start from. */
  weights: Float32Array;
  statistics: Float32Array;
  /** Augmented, preprocessed images [n, h, w, 3] and soft labels [n, classes]. */
  images: Float32Array;
  imageShape: [number, number, number, number];
  labels: Float32Array;
  numClasses: number;
  batchSize: number;
  microBatchSize: number;
  dropout: number;
  dropPathRate: number;
  /** Seed of the share's dropout and stochastic-depth masks. */
  seed: number;
}

/** A worker's answer. */
export type WorkerMessage =
  | { type: 'ready'; parameters: number; statistics: number; backend: string }
  | { type: 'result'; id: number; gradient: Float32Array; statistics: Float32Array; loss: number; correct: number; updates: number }
  | { type: 'error'; id?: number; message: string };
