#!/usr/bin/env python3
"""Makes an MNIST-like set with another number of classes and another image size, to check
that every algorithm's cost follows the work (docs/scaling.md).

Classes: class c is digit c % 10 under transform c // 10 of eight (as it is, rotated 90°,
180°, 270°, transposed, mirrored left-right, mirrored top-bottom, transposed the other way),
so up to 80 classes, each learnable (a few overlap, as 6 and a rotated 9 do, which lowers
accuracy but not the work). Each MNIST image of digit d gets one of the transforms its digit
has among the first C classes, drawn with --seed, so the set keeps MNIST's 60,000 + 10,000
images and its class balance within each digit.

Size: images are placed centred on a larger canvas (32×32, as EMNIST-style padding) or
shrunk by area averaging (16×16, as USPS), then written as the four IDX files `bench --data`
reads (uncompressed).

    python3 scripts/make-synthetic-set.py data/mnist /tmp/set47 --classes 47 [--size 28] [--seed 1]

Needs numpy.
"""
import argparse
import gzip
import os
import struct

import numpy as np


def read_idx(directory, stem):
    for name in (stem, stem + ".gz"):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            opener = gzip.open if name.endswith(".gz") else open
            with opener(path, "rb") as f:
                data = f.read()
            dims = data[3]
            shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
            return np.frombuffer(data[4 + 4 * dims:], dtype=np.uint8).reshape(shape)
    raise SystemExit(f"make-synthetic-set.py: {directory} has no {stem}[.gz]")


def write_idx(path, array):
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(">" + "I" * array.ndim, *array.shape)
    temporary = path + ".tmp"
    with open(temporary, "wb") as f:
        f.write(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())
    os.replace(temporary, path)


TRANSFORMS = [
    lambda im: im,
    lambda im: np.rot90(im, 1),
    lambda im: np.rot90(im, 2),
    lambda im: np.rot90(im, 3),
    lambda im: im.T,
    lambda im: im[:, ::-1],
    lambda im: im[::-1, :],
    lambda im: np.rot90(im, 2).T,
]


def resize(images, size):
    n, h, w = images.shape
    if size == h:
        return images
    if size > h:
        out = np.zeros((n, size, size), dtype=np.uint8)
        top, left = (size - h) // 2, (size - w) // 2
        out[:, top:top + h, left:left + w] = images
        return out
    # Area averaging: each output pixel the mean of the input area it covers.
    scale = h / size
    weights = np.zeros((size, h))
    for o in range(size):
        start, end = o * scale, (o + 1) * scale
        for i in range(int(start), min(h, int(np.ceil(end)))):
            weights[o, i] = max(0.0, min(end, i + 1) - max(start, i))
    weights /= weights.sum(axis=1, keepdims=True)
    out = np.einsum("oi,nij,pj->nop", weights, images.astype(np.float64), weights)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def convert(images, labels, classes, size, rng):
    variants = {d: [c // 10 for c in range(classes) if c % 10 == d] for d in range(10)}
    out_labels = np.empty(len(labels), dtype=np.uint8)
    out_images = np.empty_like(images)
    for k, (image, digit) in enumerate(zip(images, labels)):
        variant = variants[int(digit)][rng.integers(len(variants[int(digit)]))]
        out_images[k] = TRANSFORMS[variant](image)
        out_labels[k] = variant * 10 + digit
    return resize(out_images, size), out_labels


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mnist")
    parser.add_argument("out")
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--size", type=int, default=28)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not 10 <= args.classes <= 80:
        raise SystemExit("make-synthetic-set.py: --classes must be in 10...80")
    if not 4 <= args.size <= 256:
        raise SystemExit("make-synthetic-set.py: --size must be in 4...256")
    rng = np.random.default_rng(args.seed)
    os.makedirs(args.out, exist_ok=True)
    for part in ("train", "t10k"):
        images = read_idx(args.mnist, f"{part}-images-idx3-ubyte")
        labels = read_idx(args.mnist, f"{part}-labels-idx1-ubyte")
        images, labels = convert(images, labels, args.classes, args.size, rng)
        write_idx(os.path.join(args.out, f"{part}-images-idx3-ubyte"), images)
        write_idx(os.path.join(args.out, f"{part}-labels-idx1-ubyte"), labels)
        print(f"{part}: {len(labels)} images of {args.size}×{args.size}, {len(set(labels.tolist()))} classes")


if __name__ == "__main__":
    main()
