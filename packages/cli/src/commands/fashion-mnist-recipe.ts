/**
 * The main job's recipe: image size per stage, and each regulariser's value at the first and the
 * last stage (linear in between, the paper's rule), plus the random-resized-crop area and the
 * held-out validation examples. Chosen with `npm run experiment:progressive` (docs: the
 * progressive-learning experiment).
 */
export const FASHION_MNIST_RECIPE = {
  epochs: 15,
  sizes: [24, 26, 28],
  dropout: [0, 0.1] as [number, number],
  magnitude: [0, 0] as [number, number],
  mixup: [0, 0] as [number, number],
  /** 1: no zoom, left-right flips only (garments fill a centred frame at one scale). */
  crop: 1,
  /**
   * Stages below 28 px train on random windows of the 28 px image (objects keep their size): a
   * network trained on scaled-down garments does not carry over to full-size ones here.
   */
  smallImages: 'crop' as 'resize' | 'crop',
  validation: 5000,
  /**
   * RandAugment for 28 px grey garments on black: the geometric ops and Cutout (the photometric
   * ones, such as Invert, Solarize and Equalize, turn a garment into another picture at any
   * magnitude), black fill, and the official code's 224 px constants scaled to the image:
   * translation 100/224 of the side (timm's 0.45), Cutout 40/224 of 28 px (5 px).
   */
  randAugment: { ops: ['Rotate', 'ShearX', 'ShearY', 'TranslateX', 'TranslateY', 'Cutout'], translateFraction: 0.45, cutoutPixels: 5, fill: 0 },
  lr: 0.02,
  /** EMA decay of the evaluated weights and BatchNorm statistics (about 500 steps' memory). */
  ema: 0.998,
};

/**
 * The schedules the progressive-learning experiment compares: `progressive` (sizes and
 * regularisation rising together), `fixed` (the last size and the last stage's regularisation
 * throughout), `progressive-fixed-reg` (the sizes rising, regularisation at the last stage's
 * values throughout: the paper's Table 13 ablation), `random-resize` (the official code's
 * baseline: a size drawn every epoch between the first and the last, regularisation fixed).
 */
export const FASHION_MNIST_ARMS = ['progressive', 'fixed', 'progressive-fixed-reg', 'random-resize'] as const;

/** One of {@link FASHION_MNIST_ARMS}. */
export type FashionMnistArm = (typeof FASHION_MNIST_ARMS)[number];

