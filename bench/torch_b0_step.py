"""PyTorch anchor for the effnet benchmark: one SGD training step of timm's tf_efficientnetv2_b0
(B0, 10 classes) at the given size and batch on the CPU. Prints JSON: {"ms": [...]}.
Needs torch and timm (python3-torch from Debian, timm from pip); exits 3 when they are missing."""
import json
import os
import sys
import time

try:
    import torch
    import timm
except Exception as e:  # noqa: BLE001
    print(json.dumps({"error": f"torch/timm not available: {e}"}))
    sys.exit(3)

size, batch, reps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
torch.manual_seed(0)
# Every core of the machine (Debian's build may start with one thread).
torch.set_num_threads(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
model = timm.create_model("tf_efficientnetv2_b0", num_classes=10).train()
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
x = torch.randn(batch, 3, size, size)
y = torch.randint(0, 10, (batch,))
times = []
for i in range(reps + 1):
    t0 = time.perf_counter()
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    if i > 0:
        times.append((time.perf_counter() - t0) * 1000)
print(json.dumps({"ms": times, "threads": torch.get_num_threads(), "torch": torch.__version__}))
