#!/usr/bin/python3
"""Writes the PIL golden images that the RandAugment op tests compare against.

Run with Debian's Python and Pillow (apt-get install -y python3-pil):

    /usr/bin/python3 packages/augment/scripts/make-pil-goldens.py

Three synthetic 32x40 RGB images (gradients, edges, a disc, stripes, a flat channel) go through
every RandAugment op at two to four magnitudes, with the random parts (signs, cutout centres)
passed explicitly. Each op's argument is computed here from the magnitude with the table of the
official code (autoaugment.py, _MAX_LEVEL = 10), independently of the TypeScript mapping.
Outputs: fixtures/pil/inputs.npy, one uint8 .npy [3, 32, 40, 3] per case and manifest.json.
"""
import json
import math
import os

import numpy as np
import PIL
from PIL import Image, ImageEnhance, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'fixtures', 'pil')
H, W = 32, 40
FILL = (128, 128, 128)
SIGNS = [1, -1, 1]  # image i uses SIGNS[i] for the ops with a random sign
CUTOUT_CENTRES = [(5, 7), (16, 20), (30, 38)]  # (row, column) per image


def synthetic_images():
    y, x = np.mgrid[0:H, 0:W].astype(np.float64)
    a = np.zeros((H, W, 3))
    a[..., 0] = 30 + 170 * x / (W - 1)
    a[..., 1] = 40 + 150 * y / (H - 1)
    a[..., 2] = 60 + 90 * ((x + y) % 12) / 11
    a[8:20, 10:26] = (220, 35, 90)
    b = np.zeros((H, W, 3))
    disc = (x - 22) ** 2 + (y - 14) ** 2 < 100
    checker = ((x // 4 + y // 4) % 2) * 255
    b[..., 0] = np.where(disc, 250, checker)
    b[..., 1] = 50 + 70 * np.sin(x / 5) ** 2
    b[..., 2] = 77
    c = np.zeros((H, W, 3))
    c[..., 0] = np.where(x > 1.3 * y, 255, 0)
    c[..., 1] = 128 + 127 * np.cos((x + 2 * y) / 3)
    c[..., 2] = (x * 7 + y * 3) % 256
    return np.stack([a, b, c]).round().clip(0, 255).astype(np.uint8)


def level(m):
    return m / 10.0


def affine(img, matrix):
    return img.transform(img.size, Image.AFFINE, matrix, resample=Image.NEAREST, fillcolor=FILL)


def cutout(img, pad, centre):
    cy, cx = centre
    out = img.copy()
    y0, y1 = max(0, cy - pad), min(H, cy + pad)
    x0, x1 = max(0, cx - pad), min(W, cx + pad)
    if y1 > y0 and x1 > x0:
        out.paste(FILL, (x0, y0, x1, y1))
    return out


def solarize_add(img, addition, threshold=128):
    lut = [min(255, i + addition) if i < threshold else i for i in range(256)]
    return img.point(lut * 3)


def enhance(cls):
    return lambda img, factor: cls(img).enhance(factor)


# op name -> (magnitudes, per-image argument list from (magnitude, image index), PIL function)
OPS = {
    'AutoContrast': ([None], lambda m, i: [], lambda img: ImageOps.autocontrast(img)),
    'Equalize': ([None], lambda m, i: [], lambda img: ImageOps.equalize(img)),
    'Invert': ([None], lambda m, i: [], lambda img: ImageOps.invert(img)),
    'Rotate': ([3, 10, 17], lambda m, i: [SIGNS[i] * 30 * level(m)],
               lambda img, deg: img.rotate(deg, resample=Image.NEAREST, fillcolor=FILL)),
    'Posterize': ([0, 5, 10, 15], lambda m, i: [int(4 * level(m))], lambda img, bits: ImageOps.posterize(img, bits)),
    'Solarize': ([2, 5, 8], lambda m, i: [int(256 * level(m))], lambda img, t: ImageOps.solarize(img, t)),
    'Color': ([2, 10, 20], lambda m, i: [1.8 * level(m) + 0.1], enhance(ImageEnhance.Color)),
    'Contrast': ([2, 10, 20], lambda m, i: [1.8 * level(m) + 0.1], enhance(ImageEnhance.Contrast)),
    'Brightness': ([2, 10, 20], lambda m, i: [1.8 * level(m) + 0.1], enhance(ImageEnhance.Brightness)),
    'Sharpness': ([2, 10, 20], lambda m, i: [1.8 * level(m) + 0.1], enhance(ImageEnhance.Sharpness)),
    'ShearX': ([3, 10, 15], lambda m, i: [SIGNS[i] * 0.3 * level(m)], lambda img, s: affine(img, (1, s, 0, 0, 1, 0))),
    'ShearY': ([3, 10, 15], lambda m, i: [SIGNS[i] * 0.3 * level(m)], lambda img, s: affine(img, (1, 0, 0, s, 1, 0))),
    'TranslateX': ([0.7, 1.9, 3], lambda m, i: [SIGNS[i] * 100 * level(m)],
                   lambda img, t: affine(img, (1, 0, t, 0, 1, 0))),
    'TranslateY': ([0.7, 1.9, 3], lambda m, i: [SIGNS[i] * 100 * level(m)],
                   lambda img, t: affine(img, (1, 0, 0, 0, 1, t))),
    'Cutout': ([1, 3, 5], lambda m, i: [int(40 * level(m)), *CUTOUT_CENTRES[i]],
               lambda img, pad, cy, cx: cutout(img, pad, (cy, cx))),
    'SolarizeAdd': ([3, 10, 20], lambda m, i: [int(110 * level(m))], solarize_add),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    inputs = synthetic_images()
    np.save(os.path.join(OUT, 'inputs.npy'), inputs)
    cases = []
    for op, (magnitudes, args_of, fn) in OPS.items():
        for m in magnitudes:
            args = [args_of(m, i) for i in range(len(inputs))]
            out = np.stack([np.asarray(fn(Image.fromarray(img), *a)) for img, a in zip(inputs, args)])
            name = op if m is None else f'{op}-m{m:g}'
            file = f'{name}.npy'
            np.save(os.path.join(OUT, file), out.astype(np.uint8))
            cases.append({'name': name, 'op': op, 'magnitude': m, 'args': args, 'file': file})
    manifest = {
        'generator': 'packages/augment/scripts/make-pil-goldens.py',
        'pillow': PIL.__version__,
        'numpy': np.__version__,
        'shape': list(inputs.shape),
        'fill': FILL[0],
        'signs': SIGNS,
        'inputs': 'inputs.npy',
        'cases': cases,
    }
    with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
        f.write('\n')
    print(f'wrote {len(cases)} cases to {os.path.normpath(OUT)}')


if __name__ == '__main__':
    main()
