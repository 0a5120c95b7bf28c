"""Reads effnet's TensorBoard event files with TensorBoard's own reader and prints what it found.

Usage: python tensorboard_check.py <logdir>  ->  JSON {run: {"scalars": {tag: [[step, value], ...]},
"images": {tag: [width, height, png_bytes]}}} for each run folder (train, validation, test).
"""
import json
import os
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

logdir = sys.argv[1]
out = {}
for run in sorted(os.listdir(logdir)):
    acc = EventAccumulator(os.path.join(logdir, run), size_guidance={"scalars": 0, "images": 0})
    acc.Reload()
    tags = acc.Tags()
    out[run] = {
        "scalars": {t: [[e.step, e.value] for e in acc.Scalars(t)] for t in tags["scalars"]},
        "images": {t: [acc.Images(t)[0].width, acc.Images(t)[0].height, len(acc.Images(t)[0].encoded_image_string)] for t in tags["images"]},
    }
print(json.dumps(out))
