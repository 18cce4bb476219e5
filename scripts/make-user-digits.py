#!/usr/bin/env python3
"""Turns MNIST test images into digits as users bring them, to check `bench predict`.

Each of the first N test images (default 300) is enlarged 3 to 8 times (bilinear), inverted
to dark ink on light paper, placed off-centre on a larger canvas, and saved as a PNG: grey,
RGB, or RGBA with a transparent background, in turn. Beside them the script writes
labels.csv (file,label) and the same images in MNIST form as an IDX file
(mnist-form/images-idx3-ubyte, in a subdirectory so that predicting the directory of PNGs
leaves it out), so that a model can be scored on both and compared.

Standard library only (zlib, gzip, struct); deterministic for a given --seed.

    python3 scripts/make-user-digits.py data/mnist /tmp/digits [--count 300] [--seed 1]
"""
import argparse
import gzip
import os
import random
import struct
import zlib


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return shape, data[4 + 4 * dims:]


def png(width, height, colour_type, rows):
    """A PNG of 8-bit samples; rows are bytes without the filter byte."""
    raw = b"".join(b"\x00" + bytes(row) for row in rows)

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def enlarge(pixels, factor):
    """Bilinear enlargement of a 28x28 image (values 0..255) by `factor`."""
    size = 28 * factor
    out = [[0.0] * size for _ in range(size)]
    for y in range(size):
        sy = min(max((y + 0.5) / factor - 0.5, 0), 27)
        y0 = int(sy); y1 = min(y0 + 1, 27); ty = sy - y0
        for x in range(size):
            sx = min(max((x + 0.5) / factor - 0.5, 0), 27)
            x0 = int(sx); x1 = min(x0 + 1, 27); tx = sx - x0
            top = pixels[y0 * 28 + x0] * (1 - tx) + pixels[y0 * 28 + x1] * tx
            bottom = pixels[y1 * 28 + x0] * (1 - tx) + pixels[y1 * 28 + x1] * tx
            out[y][x] = top * (1 - ty) + bottom * ty
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", help="directory with t10k-images-idx3-ubyte(.gz) and t10k-labels-idx1-ubyte(.gz)")
    parser.add_argument("out", help="directory to write the PNGs, labels.csv and mnist-form-idx3-ubyte into")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--upscale", choices=["bilinear", "nearest"], default="bilinear",
                        help="how the 28x28 digit is enlarged (default: bilinear, smooth as a drawing)")
    args = parser.parse_args()

    def find(stem):
        for name in (stem, stem + ".gz"):
            if os.path.exists(os.path.join(args.data, name)):
                return os.path.join(args.data, name)
        raise SystemExit(f"error: {args.data} has no {stem}(.gz)")

    (count, height, width), images = read_idx(find("t10k-images-idx3-ubyte"))
    _, labels = read_idx(find("t10k-labels-idx1-ubyte"))
    if (height, width) != (28, 28):
        raise SystemExit("error: expected 28x28 images")
    n = min(args.count, count)
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    kinds = ["grey", "rgb", "rgba"]
    lines = ["file,label"]
    for i in range(n):
        pixels = images[i * 784:(i + 1) * 784]
        factor = 3 + i % 6
        big = enlarge(pixels, factor) if args.upscale == "bilinear" else \
            [[pixels[(y // factor) * 28 + x // factor] for x in range(28 * factor)] for y in range(28 * factor)]
        size = 28 * factor
        canvas_w = size + rng.randint(40, 200)
        canvas_h = size + rng.randint(40, 200)
        left = rng.randint(0, canvas_w - size)
        top = rng.randint(0, canvas_h - size)
        paper = rng.randint(215, 250)        # light paper
        ink = rng.randint(0, 60)             # dark ink
        kind = kinds[i % 3]
        rows = []
        for y in range(canvas_h):
            row = []
            for x in range(canvas_w):
                inside = top <= y < top + size and left <= x < left + size
                v = big[y - top][x - left] / 255 if inside else 0.0   # 1 where the digit's ink is
                grey = round(paper + (ink - paper) * v)
                if kind == "grey":
                    row.append(grey)
                elif kind == "rgb":
                    row += [min(255, grey + 6), grey, max(0, grey - 10)]   # a slightly warm paper
                else:
                    row += [ink, ink, ink, round(255 * v)]               # ink on a transparent sheet
            rows.append(row)
        colour_type = {"grey": 0, "rgb": 2, "rgba": 6}[kind]
        name = f"digit-{i:04d}-{kind}.png"
        with open(os.path.join(args.out, name), "wb") as f:
            f.write(png(canvas_w, canvas_h, colour_type, rows))
        lines.append(f"{name},{labels[i]}")
    with open(os.path.join(args.out, "labels.csv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    os.makedirs(os.path.join(args.out, "mnist-form"), exist_ok=True)
    with open(os.path.join(args.out, "mnist-form", "images-idx3-ubyte"), "wb") as f:
        f.write(struct.pack(">IIII", 0x803, n, 28, 28) + images[:n * 784])
    print(f"wrote {n} PNGs, labels.csv and mnist-form/images-idx3-ubyte into {args.out}")


if __name__ == "__main__":
    main()
