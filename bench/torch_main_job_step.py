"""PyTorch anchor for the main job's training benchmark: the network effnet describes in a layout
JSON (written by bench/main-job-training.mjs from the resolved architecture: stem, every block
with its type, kernel, stride, expansion, channels and SE width, head, classes) built layer for
layer in PyTorch, trained with the main job's recipe (RMSProp rho 0.9 momentum 0.9 eps 1e-3, weight
decay 1e-5 off BatchNorm and biases, label smoothing 0.1, EMA 0.999 of the weights) on batches
drawn from an in-memory set of 28x28 images resized to each size and flipped at random.

  python3 torch_main_job_step.py LAYOUT.json --count            prints {"params": N}
  python3 torch_main_job_step.py LAYOUT.json SIZES BATCH STEPS  prints {"rows": [{size, ms: [...]}]}

PyTorch's fastest honest steady state: a throwaway network is warmed up first (torch 1.13's first
network in a process stays slow here), then each size is timed after 3 warm-up steps in both NCHW
and channels-last layouts, and the faster is reported. Exits 3 when torch is missing."""
import json
import os
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except Exception as e:  # noqa: BLE001
    print(json.dumps({"error": f"torch not available: {e}"}))
    sys.exit(3)

ACT = {"silu": nn.SiLU, "relu": nn.ReLU, "relu6": nn.ReLU6, "hard_swish": nn.Hardswish, "gelu": lambda: nn.GELU(approximate="tanh")}


def conv_bn(cin, cout, k, s, act, eps, momentum):
    layers = [nn.Conv2d(cin, cout, k, s, padding=k // 2, bias=False), nn.BatchNorm2d(cout, eps=eps, momentum=1 - momentum)]
    if act:
        layers.append(ACT[act]())
    return layers


class SqueezeExcite(nn.Module):
    def __init__(self, channels, reduced, act):
        super().__init__()
        self.reduce = nn.Conv2d(channels, reduced, 1)
        self.expand = nn.Conv2d(reduced, channels, 1)
        self.act = ACT[act]()

    def forward(self, x):
        s = x.mean((2, 3), keepdim=True)
        return x * torch.sigmoid(self.expand(self.act(self.reduce(s))))


class Block(nn.Module):
    def __init__(self, b, act, eps, momentum):
        super().__init__()
        cin, cout, k, s, e, se = b["in"], b["out"], b["kernel"], b["stride"], b["expand"], b.get("se")
        mid = cin * e
        layers = []
        if b["type"] == "fused_mbconv":
            if e != 1:
                layers += conv_bn(cin, mid, k, s, act, eps, momentum)
                if se:
                    layers.append(SqueezeExcite(mid, se, act))
                layers += conv_bn(mid, cout, 1, 1, None, eps, momentum)
            else:
                if se:
                    layers.append(SqueezeExcite(cin, se, act))
                layers += conv_bn(cin, cout, k, s, act, eps, momentum)
        elif b["type"] == "mbconv":
            if e != 1:
                layers += conv_bn(cin, mid, 1, 1, act, eps, momentum)
            layers += [nn.Conv2d(mid, mid, k, s, padding=k // 2, groups=mid, bias=False), nn.BatchNorm2d(mid, eps=eps, momentum=1 - momentum), ACT[act]()]
            if se:
                layers.append(SqueezeExcite(mid, se, act))
            layers += conv_bn(mid, cout, 1, 1, None, eps, momentum)
        else:
            raise SystemExit(f"block type {b['type']} is not in this anchor")
        self.body = nn.Sequential(*layers)
        self.residual = s == 1 and cin == cout

    def forward(self, x):
        y = self.body(x)
        return y + x if self.residual else y


class Network(nn.Module):
    def __init__(self, layout):
        super().__init__()
        act, eps, momentum = layout["activation"], layout["bnEpsilon"], layout["bnMomentum"]
        stem = layout["stem"]
        self.stem = nn.Sequential(*conv_bn(3, stem["channels"], stem["kernel"], stem["stride"], act, eps, momentum))
        self.blocks = nn.Sequential(*[Block(b, act, eps, momentum) for b in layout["blocks"]])
        last = layout["blocks"][-1]["out"] if layout["blocks"] else stem["channels"]
        self.head = nn.Sequential(*conv_bn(last, layout["headChannels"], 1, 1, act, eps, momentum))
        self.dropout = nn.Dropout(layout["dropout"])
        self.classifier = nn.Linear(layout["headChannels"], layout["numClasses"])

    def forward(self, x):
        x = self.head(self.blocks(self.stem(x)))
        return self.classifier(self.dropout(x.mean((2, 3))))


def main():
    layout = json.load(open(sys.argv[1]))
    torch.manual_seed(0)
    torch.set_num_threads(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
    if sys.argv[2] == "--count":
        print(json.dumps({"params": sum(p.numel() for p in Network(layout).parameters())}))
        return
    sizes = [int(s) for s in sys.argv[2].split(",")]
    batch, steps = int(sys.argv[3]), int(sys.argv[4])
    images = torch.randint(0, 256, (10000, 1, 28, 28), dtype=torch.uint8)
    labels = torch.randint(0, layout["numClasses"], (10000,))

    def trainer(memory_format):
        """The recipe on a fresh replica of the network, in one memory layout; returns its step."""
        net = Network(layout).to(memory_format=memory_format).train()
        decay = [p for p in net.parameters() if p.ndim > 1]
        no_decay = [p for p in net.parameters() if p.ndim <= 1]
        opt = torch.optim.RMSprop([{"params": decay, "weight_decay": 1e-5}, {"params": no_decay, "weight_decay": 0}], lr=0.02, alpha=0.9, eps=1e-3, momentum=0.9)
        ema = [p.detach().clone() for p in net.parameters()]
        gen = torch.Generator().manual_seed(1)

        def step(size):
            idx = torch.randint(0, images.shape[0], (batch,), generator=gen)
            x = images[idx].float().div_(127.5).sub_(1).expand(-1, 3, -1, -1)
            if size != 28:
                x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
            flip = torch.rand(batch, generator=gen) < 0.5
            x = torch.where(flip[:, None, None, None], x.flip(3), x).contiguous(memory_format=memory_format)
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(net(x), labels[idx], label_smoothing=0.1)
            loss.backward()
            opt.step()
            with torch.no_grad():
                for e, p in zip(ema, net.parameters()):
                    e.mul_(0.999).add_(p.detach(), alpha=0.001)

        return step

    # The first network of a process stays slow in torch 1.13 here: warm up a throwaway one in
    # each layout first, then time fresh ones. Each size reports the faster layout (NCHW or
    # channels-last), its steady state after 3 warm-up steps.
    formats = {"channels_last": torch.channels_last, "nchw": torch.contiguous_format}
    for fmt in formats.values():
        warm = trainer(fmt)
        for size in sizes:
            warm(size)
    rows = []
    steppers = {name: trainer(fmt) for name, fmt in formats.items()}
    for size in sizes:
        best = None
        for name, step in steppers.items():
            for _ in range(3):
                step(size)
            ms = []
            for _ in range(steps):
                t0 = time.perf_counter()
                step(size)
                ms.append((time.perf_counter() - t0) * 1000)
            if best is None or sorted(ms)[len(ms) // 2] < sorted(best["ms"])[len(best["ms"]) // 2]:
                best = {"size": size, "ms": ms, "layout": name}
        rows.append(best)
    print(json.dumps({"rows": rows, "threads": torch.get_num_threads(), "torch": torch.__version__}))

main()
