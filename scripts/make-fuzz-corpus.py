#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (docs/hardening.md, "Fuzzing") into Fuzz/corpus/.

    scripts/make-fuzz-corpus.py [--bench PATH]

Small valid files of every form each reader accepts, and near misses (a byte or a length
wrong), so that the fuzzer starts from inputs that reach deep into each reader:

  idx    IDX image and label files of every element type, and damaged ones
  gzip   gzip streams of those (with and without the optional header fields), damaged ones
  png    every colour type and bit depth, palettes, tRNS, bKGD, every filter, Adam7
  pnm    P2, P3, P5, P6 at 8 and 16 bits, with comments, and damaged ones
  model  model files of every classifier, fitted by `bench run` on a toy data set of
         10 x 10 images (so each is a few KB), and one fitted on MNIST
  task   stored unit outcomes from those runs (`tasks/<algorithm>/<key>.task`), and of a
         unit whose fit failed
  plan   their `tasks/plan.json`

The byte formats are made here with the standard library only (no decoder of this package is
involved, so the two check each other); model, task and plan seeds need a built `bench`
(default .build/release/bench). Everything written is deterministic except the program
version and digest that `bench` records in model and task files.
"""

import argparse
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
CORPUS = os.path.join(ROOT, "Fuzz", "corpus")


def write(target, name, data):
    directory = os.path.join(CORPUS, target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


# IDX ---------------------------------------------------------------------------------------

def idx(type_code, dimensions, payload):
    return bytes([0, 0, type_code, len(dimensions)]) + b"".join(struct.pack(">I", d) for d in dimensions) + payload


def toy_images(count, side, rng, labels):
    """Class 0 bright on the left half, class 1 on the right (as TestSupport's toy set)."""
    pixels = bytearray()
    for label in labels[:count]:
        for _ in range(side):
            for column in range(side):
                lit = (column < side // 2) == (label == 0)
                pixels.append(160 + rng.randrange(96) if lit else rng.randrange(60))
    return bytes(pixels)


def idx_seeds():
    rng = random.Random(1)
    labels = [i % 2 for i in range(4)]
    images = idx(0x08, [4, 4, 4], toy_images(4, 4, rng, labels))
    seeds = {
        "images-u8-4x4x4": images,
        "labels-u8": idx(0x08, [4], bytes(labels)),
        "labels-i8": idx(0x09, [3], bytes([0, 1, 0xFF])),
        "labels-i16": idx(0x0B, [2], struct.pack(">hh", 7, -1)),
        "labels-i32": idx(0x0C, [2], struct.pack(">ii", 7, -1)),
        "images-i16-1x2x2": idx(0x0B, [1, 2, 2], struct.pack(">4h", 0, 128, 255, -3)),
        "images-f32-2x2x2": idx(0x0D, [2, 2, 2], struct.pack(">8f", 0, 0.5, 1, 0.25, 1e-3, 0.75, 0.125, 1)),
        "images-f64-1x2x3": idx(0x0E, [1, 2, 3], struct.pack(">6d", 0, 0.5, 1, 0.25, 1e-300, 0.75)),
        "images-f32-nan": idx(0x0D, [1, 1, 2], struct.pack(">2f", float("nan"), 1)),
        "images-empty-0x28x28": idx(0x08, [0, 28, 28], b""),
        # Near misses: one byte short, one too many, a header claiming billions, wrong rank and magic.
        "images-truncated": images[:-1],
        "images-overlong": images + b"\0",
        "images-claims-billions": idx(0x08, [0xFFFFFFFF, 28, 28], bytes(10)),
        "images-overflowing-dimensions": idx(0x0E, [0xFFFFFFFF] * 3, b""),
        "images-rank-2": idx(0x08, [2, 2], bytes(4)),
        "labels-bad-type": idx(0x07, [3], bytes(3)),
        "header-only": bytes([0, 0, 8, 3]),
    }
    for name, data in seeds.items():
        write("idx", name, data)
    write("idx", "images-u8-4x4x4.gz", gzip_bytes(images))
    return seeds


# gzip --------------------------------------------------------------------------------------

def gzip_bytes(data, name=None, comment=None, extra=None, header_crc=False, level=9):
    """A gzip member (RFC 1952) with mtime 0 and the optional header fields asked for."""
    flags = (0x02 if header_crc else 0) | (0x04 if extra else 0) | (0x08 if name else 0) | (0x10 if comment else 0)
    header = bytes([0x1F, 0x8B, 8, flags]) + struct.pack("<I", 0) + bytes([2, 3])
    if extra:
        header += struct.pack("<H", len(extra)) + extra
    if name:
        header += name + b"\0"
    if comment:
        header += comment + b"\0"
    if header_crc:
        header += struct.pack("<H", zlib.crc32(header) & 0xFFFF)
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    body = compressor.compress(data) + compressor.flush()
    return header + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


def gzip_seeds(idx_files):
    images, labels = idx_files["images-u8-4x4x4"], idx_files["labels-u8"]
    good = gzip_bytes(images)
    seeds = {
        "images.gz": good,
        "labels.gz": gzip_bytes(labels, level=1),
        "empty.gz": gzip_bytes(b""),
        "stored.gz": gzip_bytes(labels, level=0),
        "header-fields.gz": gzip_bytes(images, name=b"t10k-images-idx3-ubyte", comment=b"seed", extra=b"AB\x02\x00hi", header_crc=True),
        "two-members.gz": gzip_bytes(labels) + gzip_bytes(labels),
        "zeros-4k.gz": gzip_bytes(bytes(4096)),
        # Near misses: cut short, a wrong CRC, a wrong size, a trailer that claims 4 GiB.
        "truncated.gz": good[:-5],
        "bad-crc.gz": good[:-8] + bytes([good[-8] ^ 1]) + good[-7:],
        "bad-size.gz": good[:-4] + struct.pack("<I", len(images) + 1),
        "claims-4gib.gz": good[:-4] + b"\xff\xff\xff\xff",
        "not-deflate.gz": bytes([0x1F, 0x8B, 7, 0]) + good[4:],
        "magic-only.gz": bytes([0x1F, 0x8B]),
    }
    for name, data in seeds.items():
        write("gzip", name, data)


# PNG ---------------------------------------------------------------------------------------

CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def pack(values, depth):
    if depth == 8:
        return bytes(values)
    if depth == 16:
        return b"".join(struct.pack(">H", v) for v in values)
    out = bytearray((len(values) * depth + 7) // 8)
    for i, v in enumerate(values):
        bit = i * depth
        out[bit // 8] |= v << (8 - depth - bit % 8)
    return bytes(out)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def filtered(row, previous, kind, bpp):
    out = bytearray()
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = previous[i]
        c = previous[i - bpp] if i >= bpp else 0
        prediction = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
        out.append((x - prediction) & 0xFF)
    return bytes(out)


def png(width, height, colour, depth, samples, interlaced=False, filters=(0,), palette=None, trns=None, bkgd=None,
        extra_chunks=()):
    """A PNG of `samples` (row-major, CHANNELS[colour] per pixel), rows filtered in turn by `filters`."""
    channels = CHANNELS[colour]
    bpp = max(1, channels * depth // 8)
    raw = bytearray()
    row_number = 0
    for x0, y0, dx, dy in (ADAM7 if interlaced else [(0, 0, 1, 1)]):
        columns, rows = list(range(x0, width, dx)), list(range(y0, height, dy))
        if not columns or not rows:
            continue
        previous = bytes((len(columns) * channels * depth + 7) // 8)
        for y in rows:
            values = []
            for x in columns:
                values += samples[(y * width + x) * channels:(y * width + x + 1) * channels]
            packed = pack(values, depth)
            kind = filters[row_number % len(filters)]
            row_number += 1
            raw.append(kind)
            raw += filtered(packed, previous, kind, bpp)
            previous = packed
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 1 if interlaced else 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
    for kind, body in extra_chunks:
        data += chunk(kind, body)
    if palette is not None:
        data += chunk(b"PLTE", palette)
    if trns is not None:
        data += chunk(b"tRNS", trns)
    if bkgd is not None:
        data += chunk(b"bKGD", bkgd)
    compressed = zlib.compress(bytes(raw), 9)
    half = len(compressed) // 2
    return data + chunk(b"IDAT", compressed[:half]) + chunk(b"IDAT", compressed[half:]) + chunk(b"IEND", b"")


def png_seeds():
    rng = random.Random(2)
    seeds = {}

    def samples(width, height, colour, depth):
        top = (1 << depth) - 1
        return [rng.randrange(top + 1) for _ in range(width * height * CHANNELS[colour])]

    for depth in (1, 2, 4, 8, 16):
        seeds[f"grey{depth}.png"] = png(5, 4, 0, depth, samples(5, 4, 0, depth))
    seeds["grey8-filters.png"] = png(7, 5, 0, 8, samples(7, 5, 0, 8), filters=(0, 1, 2, 3, 4))
    seeds["grey8-trns-bkgd.png"] = png(4, 3, 0, 8, samples(4, 3, 0, 8), trns=b"\x00\x07", bkgd=b"\x00\x80")
    seeds["grey16-trns.png"] = png(3, 3, 0, 16, samples(3, 3, 0, 16), trns=b"\x12\x34")
    seeds["grey4-interlaced.png"] = png(9, 9, 0, 4, samples(9, 9, 0, 4), interlaced=True, filters=(4, 1))
    for depth in (8, 16):
        seeds[f"rgb{depth}.png"] = png(4, 3, 2, depth, samples(4, 3, 2, depth), filters=(1, 3, 4))
        seeds[f"grey-alpha{depth}.png"] = png(4, 3, 4, depth, samples(4, 3, 4, depth), filters=(2,))
        seeds[f"rgba{depth}.png"] = png(4, 3, 6, depth, samples(4, 3, 6, depth), filters=(4,))
    seeds["rgb8-trns-bkgd.png"] = png(3, 3, 2, 8, samples(3, 3, 2, 8), trns=b"\x00\x01\x00\x02\x00\x03", bkgd=b"\x00\xff\x00\x00\x00\x10")
    seeds["rgba8-interlaced.png"] = png(10, 7, 6, 8, samples(10, 7, 6, 8), interlaced=True, filters=(0, 1, 2, 3, 4))
    for depth in (1, 2, 4, 8):
        colours = 1 << depth
        palette = bytes(rng.randrange(256) for _ in range(3 * colours))
        seeds[f"palette{depth}.png"] = png(6, 3, 3, depth, [rng.randrange(colours) for _ in range(18)], palette=palette,
                                           trns=bytes(rng.randrange(256) for _ in range(colours // 2 or 1)),
                                           bkgd=b"\x00")
    seeds["palette8-interlaced.png"] = png(8, 8, 3, 8, [rng.randrange(4) for _ in range(64)], interlaced=True,
                                           palette=bytes(range(12)))
    seeds["ancillary-chunks.png"] = png(2, 2, 0, 8, [0, 64, 128, 255],
                                        extra_chunks=[(b"gAMA", struct.pack(">I", 45455)), (b"tEXt", b"Comment\0seed")])
    seeds["one-pixel.png"] = png(1, 1, 0, 1, [1])
    good = seeds["grey8-filters.png"]
    # Near misses: a CRC off by one bit, no IEND, cut inside a chunk, no IDAT, a palette image
    # without PLTE, a size above the pixel limit, an unknown critical chunk, a bad filter byte.
    seeds["bad-crc.png"] = good[:29] + bytes([good[29] ^ 1]) + good[30:]
    seeds["no-iend.png"] = good[:-12]
    seeds["truncated.png"] = good[:40]
    seeds["no-idat.png"] = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)) + chunk(b"IEND", b"")
    seeds["palette-without-plte.png"] = png(2, 2, 3, 8, [0, 1, 1, 0])
    seeds["too-many-pixels.png"] = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 9000, 9000, 8, 0, 0, 0, 0))
                                    + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b""))
    seeds["unknown-critical.png"] = png(2, 2, 0, 8, [1, 2, 3, 4], extra_chunks=[(b"ABCD", b"x")])
    bad_filter = bytes([5, 1, 2])
    seeds["bad-filter.png"] = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 1, 8, 0, 0, 0, 0))
                               + chunk(b"IDAT", zlib.compress(bad_filter)) + chunk(b"IEND", b""))
    for name, data in seeds.items():
        write("png", name, data)


# PGM / PPM ---------------------------------------------------------------------------------

def pnm_seeds():
    rng = random.Random(3)
    seeds = {}
    for maximum in (255, 65535):
        grey = [rng.randrange(maximum + 1) for _ in range(12)]
        colour = [rng.randrange(maximum + 1) for _ in range(36)]
        bits = 8 if maximum == 255 else 16
        seeds[f"p2-{bits}.pgm"] = f"P2\n# seed\n4 3\n{maximum}\n".encode() + " ".join(map(str, grey)).encode() + b"\n"
        seeds[f"p3-{bits}.ppm"] = f"P3 4 3 {maximum}\n".encode() + "\n".join(map(str, colour)).encode() + b"\n"
        width = 1 if maximum == 255 else 2
        fmt = "B" if width == 1 else ">H"
        seeds[f"p5-{bits}.pgm"] = f"P5\n4 3\n{maximum}\n".encode() + b"".join(struct.pack(fmt, v) for v in grey)
        seeds[f"p6-{bits}.ppm"] = f"P6 #c\n4 3 {maximum}\n".encode() + b"".join(struct.pack(fmt, v) for v in colour)
    seeds["p5-max1.pgm"] = b"P5 3 1 1\n" + bytes([0, 1, 0])
    seeds["p2-comments.pgm"] = b"P2 # w\n2 # h\n1\n# max\n3\n0 1\n2 3\n"
    # Near misses: one sample short, a sample above the maximum, no space before pixels, too many pixels, P1.
    seeds["p5-truncated.pgm"] = seeds["p5-8.pgm"][:-1]
    seeds["p2-above-maximum.pgm"] = b"P2 2 1 7\n3 8\n"
    seeds["p6-no-space.ppm"] = b"P6 1 1 255" + bytes([1, 2, 3])
    seeds["p5-too-many-pixels.pgm"] = b"P5 9000 9000 255\n" + bytes(16)
    seeds["p5-maximum-0.pgm"] = b"P5 1 1 0\n\0"
    seeds["p1.pbm"] = b"P1 2 1\n0 1\n"
    for name, data in seeds.items():
        write("pnm", name, data)


# Models, task files, plans (from bench) ----------------------------------------------------

def toy_dataset(directory, side=10, training=40, test=10):
    rng = random.Random(4)
    for prefix, count in (("train", training), ("t10k", test)):
        labels = [i % 2 for i in range(count)]
        with open(os.path.join(directory, f"{prefix}-images-idx3-ubyte"), "wb") as f:
            f.write(idx(0x08, [count, side, side], toy_images(count, side, rng, labels)))
        with open(os.path.join(directory, f"{prefix}-labels-idx1-ubyte"), "wb") as f:
            f.write(idx(0x08, [count], bytes(labels)))


def bench_run(bench, arguments, check=True, cwd=None):
    return subprocess.run([bench, "run", "--jobs", "1"] + arguments, check=check, cwd=cwd,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def copy_tasks(tasks, algorithm, name, count):
    stored = sorted(n for n in os.listdir(os.path.join(tasks, algorithm)) if n.endswith(".task"))
    for task in stored[:count]:
        with open(os.path.join(tasks, algorithm, task), "rb") as f:
            write("task", f"{name}-{task[:8]}.task", f.read())


def bench_seeds(bench):
    scratch = tempfile.mkdtemp(prefix="fuzz-corpus-")
    try:
        data = os.path.join(scratch, "data")
        os.makedirs(data)
        toy_dataset(data)
        runs = [
            ("softmax", ["--set", "softmax.iterations=5"]),
            ("softmax", ["--set", "softmax.preprocess=deskew", "--set", "softmax.iterations=3"]),
            ("knn", ["--set", "knn.projection=0"]),
            ("knn", ["--set", "knn.projection=4", "--set", "knn.k=1"]),
            ("forest", ["--set", "forest.trees=2", "--set", "forest.maxDepth=3"]),
            ("svm", []),
            ("svm", ["--set", "svm.kernel=polynomial", "--set", "svm.degree=2"]),
            ("mlp", ["--set", "mlp.layers=4", "--set", "mlp.epochs=1"]),
            ("cnn", ["--set", "cnn.filters1=1", "--set", "cnn.filters2=1", "--set", "cnn.hidden=2", "--set", "cnn.epochs=1"]),
        ]
        for number, (algorithm, settings) in enumerate(runs):
            out, models = os.path.join(scratch, f"out{number}"), os.path.join(scratch, f"models{number}")
            bench_run(bench, ["--algo", algorithm, "--data", data, "--folds", "2", "--out", out, "--models", models] + settings)
            name = f"{algorithm}-{number}"
            with open(os.path.join(models, f"{algorithm}.model"), "rb") as f:
                write("model", f"toy-{name}", f.read())
            tasks = os.path.join(out, "tasks")
            if number in (0, 2, 4, 5):
                copy_tasks(tasks, algorithm, name, 2)
            if number in (0, 4):
                with open(os.path.join(tasks, "plan.json"), "rb") as f:
                    write("plan", f"{name}-plan.json", f.read())
        # Units whose fit failed (the network needs images of at least 10 x 10): records with an error.
        small = os.path.join(scratch, "small")
        os.makedirs(small)
        toy_dataset(small, side=8)
        out = os.path.join(scratch, "failed")
        bench_run(bench, ["--algo", "cnn", "--data", small, "--folds", "2", "--out", out], check=False)
        copy_tasks(os.path.join(out, "tasks"), "cnn", "cnn-failed", 1)
        # One model of MNIST's own size: a forest of two shallow trees, fitted on 200 images.
        models = os.path.join(scratch, "mnist-models")
        bench_run(bench, ["--algo", "forest", "--folds", "0", "--train-size", "200", "--set", "forest.trees=2",
                          "--set", "forest.maxDepth=6", "--out", os.path.join(scratch, "mnist-out"), "--models", models], cwd=ROOT)
        with open(os.path.join(models, "forest.model"), "rb") as f:
            write("model", "mnist-forest", f.read())
    finally:
        shutil.rmtree(scratch)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench", default=os.path.join(ROOT, ".build", "release", "bench"),
                        help="the bench executable that fits the models (default: .build/release/bench)")
    arguments = parser.parse_args()
    if not os.access(arguments.bench, os.X_OK):
        sys.exit(f"Error: {arguments.bench} is not an executable; build bench first (swift build -c release) or pass --bench PATH")
    for target in ("idx", "gzip", "png", "pnm", "model", "task", "plan"):
        shutil.rmtree(os.path.join(CORPUS, target), ignore_errors=True)
    gzip_seeds(idx_seeds())
    png_seeds()
    pnm_seeds()
    bench_seeds(arguments.bench)


if __name__ == "__main__":
    main()
