#!/usr/bin/env python3
"""Heavy interop check, Keras side (run by scripts/heavy/interop.mjs).

Builds a Keras EfficientNetV2 application with random (unused) weights, loads the weights file
effnet wrote with `model.load_weights`, runs the input and saves the logits. It also saves the
loaded model with Keras' own `model.save_weights('keras3.weights.h5')`, which effnet then reads
back. Needs tensorflow-cpu 2.21 and keras 3.

    python keras_check.py --variant efficientnetv2-b0 --classes 7 --weights w.h5 --input x.npy --out DIR
    python keras_check.py --base efficientnetv2-s --width 0.5 --depth 0.5 --classes 0 ...
"""

import argparse
import os

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
os.environ.setdefault('KERAS_BACKEND', 'tensorflow')

import keras  # noqa: E402
import numpy as np  # noqa: E402

APPLICATIONS = {
    'efficientnetv2-b0': 'EfficientNetV2B0',
    'efficientnetv2-b1': 'EfficientNetV2B1',
    'efficientnetv2-b2': 'EfficientNetV2B2',
    'efficientnetv2-b3': 'EfficientNetV2B3',
    'efficientnetv2-s': 'EfficientNetV2S',
    'efficientnetv2-m': 'EfficientNetV2M',
    'efficientnetv2-l': 'EfficientNetV2L',
}


def build(args, input_shape):
    kwargs = dict(weights=None, include_preprocessing=False, input_shape=input_shape)
    if args.classes > 0:
        kwargs.update(classes=args.classes, classifier_activation=None)
    else:
        kwargs.update(include_top=False, pooling='avg')
    if args.variant:
        return getattr(keras.applications, APPLICATIONS[args.variant])(**kwargs)
    from keras.src.applications import efficientnet_v2

    return efficientnet_v2.EfficientNetV2(width_coefficient=args.width, depth_coefficient=args.depth, default_size=224, name=args.base, **kwargs)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--variant')
    p.add_argument('--base')
    p.add_argument('--width', type=float, default=1.0)
    p.add_argument('--depth', type=float, default=1.0)
    p.add_argument('--classes', type=int, required=True)
    p.add_argument('--weights', required=True)
    p.add_argument('--input', required=True)
    p.add_argument('--out', required=True)
    args = p.parse_args()
    x = np.load(args.input)
    model = build(args, x.shape[1:])
    model.load_weights(args.weights)
    y = np.asarray(model(x, training=False))
    np.save(os.path.join(args.out, 'keras_output.npy'), y.astype('float32'))
    model.save_weights(os.path.join(args.out, 'keras3.weights.h5'))
    print(f'keras {keras.__version__}: loaded {args.weights} into {model.name}, output {list(y.shape)}')


if __name__ == '__main__':
    main()
