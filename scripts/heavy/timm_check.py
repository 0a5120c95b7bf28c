#!/usr/bin/env python3
"""Heavy interop check, timm side (run by scripts/heavy/interop.mjs).

`load`: builds timm.create_model(<name>, num_classes=N), loads the safetensors file effnet wrote
(strict), runs the NHWC input and saves the logits (or pooled features when N is 0).
`make`: builds the same model with random weights and randomized BatchNorm statistics, saves
its state dict as safetensors and its logits on the input, for the timm -> effnet -> timm check.
Needs torch, timm and safetensors.

    python timm_check.py load --name tf_efficientnetv2_b0 --classes 7 --weights w.safetensors --input x.npy --out DIR
    python timm_check.py make --name tf_efficientnetv2_b1 --classes 5 --input x.npy --out DIR
"""

import argparse
import os

import numpy as np
import safetensors.torch
import timm
import torch


def run(model, x):
    """Logits and pooled features (pre-classifier) of NHWC input `x`."""
    model.eval()
    with torch.no_grad():
        t = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()
        features = model.forward_head(model.forward_features(t), pre_logits=True)
        return model(t).numpy().astype('float32'), features.numpy().astype('float32')


def main():
    p = argparse.ArgumentParser()
    p.add_argument('mode', choices=['load', 'make'])
    p.add_argument('--name', required=True)
    p.add_argument('--classes', type=int, required=True)
    p.add_argument('--weights')
    p.add_argument('--input', required=True)
    p.add_argument('--out', required=True)
    p.add_argument('--seed', type=int, default=0)
    args = p.parse_args()
    torch.set_num_threads(2)
    x = np.load(args.input)
    torch.manual_seed(args.seed)
    model = timm.create_model(args.name, num_classes=args.classes)
    if args.mode == 'load':
        model.load_state_dict(safetensors.torch.load_file(args.weights), strict=True)
    else:
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                c = m.num_features
                m.running_mean.copy_(torch.randn(c) * 0.1)
                m.running_var.copy_(torch.rand(c) + 0.5)
                m.weight.data.copy_(1 + torch.randn(c) * 0.1)
                m.bias.data.copy_(torch.randn(c) * 0.1)
        state = {k: v.contiguous() for k, v in model.state_dict().items()}
        safetensors.torch.save_file(state, os.path.join(args.out, 'timm.safetensors'))
    logits, features = run(model, x)
    np.save(os.path.join(args.out, 'timm_output.npy'), logits)
    np.save(os.path.join(args.out, 'timm_features.npy'), features)
    print(f'timm {timm.__version__} / torch {torch.__version__}: {args.mode} {args.name}, {args.classes} classes')


if __name__ == '__main__':
    main()
