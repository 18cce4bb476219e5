#!/usr/bin/env python3
"""Draws the ten example digits in docs/examples/ as a person would bring them: pen strokes,
slanted, of different sizes, anywhere on a light page, in the file kinds bench predict reads
(grey, RGB, RGBA and palette PNG, interlaced PNG, PGM, PPM). Not derived from MNIST.

    python3 scripts/draw-example-digits.py docs/examples
    python3 scripts/draw-example-digits.py docs/examples --sheet SEEN docs/predict-examples.png

With --sheet, it also draws the picture in README: each digit as drawn (top row) above the
28 x 28 image the model sees (bottom row), read from the PNGs that
`bench predict --save-normalized SEEN` wrote.

Standard library only; the same files every time.
"""
import math
import os
import random
import struct
import sys
import zlib

# Each digit: strokes as polylines in a unit box (x right, y down).
def ellipse(cx, cy, rx, ry, start=0.0, end=2 * math.pi, n=40):
    return [(cx + rx * math.sin(start + (end - start) * i / n), cy - ry * math.cos(start + (end - start) * i / n)) for i in range(n + 1)]

DIGITS = {
    0: [ellipse(0.5, 0.5, 0.28, 0.42)],
    1: [[(0.32, 0.28), (0.55, 0.08), (0.55, 0.92)]],
    2: [ellipse(0.5, 0.32, 0.27, 0.22, -1.4, 2.1)[:-1] + [(0.2, 0.9), (0.84, 0.9)]],
    3: [ellipse(0.48, 0.3, 0.26, 0.2, -1.6, 3.1), ellipse(0.48, 0.7, 0.29, 0.22, 0.0, 4.3)],
    4: [[(0.62, 0.92), (0.62, 0.08), (0.14, 0.66), (0.86, 0.66)]],
    5: [[(0.8, 0.1), (0.32, 0.1), (0.26, 0.45)] + ellipse(0.5, 0.66, 0.28, 0.25, -0.9, 3.9)],
    6: [[(0.72, 0.1), (0.45, 0.28), (0.3, 0.55)] + ellipse(0.5, 0.68, 0.22, 0.22, -2.0, 4.4)],
    7: [[(0.18, 0.12), (0.82, 0.12), (0.42, 0.92)]],
    8: [ellipse(0.5, 0.29, 0.22, 0.2), ellipse(0.5, 0.7, 0.27, 0.22)],
    9: [ellipse(0.5, 0.32, 0.24, 0.22), [(0.74, 0.32), (0.7, 0.6), (0.6, 0.92)]],
}


def render(digit, width, height, box, left, top, slant, pen, rng):
    """Ink coverage 0..1 per pixel, 3x3 supersampled."""
    strokes = [[(left + (x + slant * (0.5 - y)) * box * 0.75, top + y * box) for x, y in stroke] for stroke in DIGITS[digit]]
    segments = [(a, b) for stroke in strokes for a, b in zip(stroke, stroke[1:])]
    ink = [[0.0] * width for _ in range(height)]
    x0 = int(max(0, left - box)); x1 = int(min(width, left + box * 1.2)); y0 = int(max(0, top - pen)); y1 = int(min(height, top + box + pen))
    for py in range(y0, y1):
        for px in range(x0, x1):
            hits = 0
            for sy in (0.17, 0.5, 0.83):
                for sx in (0.17, 0.5, 0.83):
                    x, y = px + sx, py + sy
                    for (ax, ay), (bx, by) in segments:
                        dx, dy = bx - ax, by - ay
                        t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy or 1)))
                        if (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2 <= (pen / 2) ** 2:
                            hits += 1
                            break
            ink[py][px] = hits / 9
    return ink


def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png(width, height, colour_type, rows, palette=None, interlaced=False):
    channels = {0: 1, 2: 3, 3: 1, 6: 4}[colour_type]
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)] if interlaced else [(0, 0, 1, 1)]
    raw = bytearray()
    for x0, y0, dx, dy in passes:
        cols = range(x0, width, dx)
        if not len(cols):
            continue
        for y in range(y0, height, dy):
            raw.append(0)
            for x in cols:
                raw += bytes(rows[y][x * channels:(x + 1) * channels])
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 1 if interlaced else 0))
    if palette:
        out += chunk(b"PLTE", bytes(palette))
    return out + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b"")


def read_grey_png(path):
    """An 8-bit grey, non-interlaced PNG (as bench predict --save-normalized writes) as rows."""
    data = open(path, "rb").read()
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I", data[pos:pos + 4])[0], data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    return [list(raw[y * (width + 1) + 1:(y + 1) * (width + 1)]) for y in range(height)]


def sheet(drawn, seen_dir, path):
    """Drawn digits (thumbnails 112 px high) above what the model sees (28 x 28 at 4x)."""
    cell, gap = 112, 8
    width = 10 * (cell + gap) + gap
    height = gap + cell + gap + cell + gap
    canvas = [[255] * width for _ in range(height)]
    for digit, (name, grey) in enumerate(drawn):
        h, w = len(grey), len(grey[0])
        scale = max(h, w) / cell
        x0 = gap + digit * (cell + gap)
        for y in range(cell):
            for x in range(cell):
                sx, sy = int(x * scale), int(y * scale)
                canvas[gap + y][x0 + x] = grey[sy][sx] if sy < h and sx < w else 255
        seen = read_grey_png(os.path.join(seen_dir, os.path.splitext(name)[0] + ".png"))
        for y in range(cell):
            for x in range(cell):
                canvas[2 * gap + cell + y][x0 + x] = seen[y * 28 // cell][x * 28 // cell]
    with open(path, "wb") as f:
        f.write(png(width, height, 0, canvas))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "docs/examples"
    os.makedirs(out, exist_ok=True)
    drawn = []
    rng = random.Random(7)
    kinds = ["grey.png", "rgb.png", "rgba.png", "palette.png", "interlaced.png", "grey.pgm", "colour.ppm", "grey.png", "rgb.png", "rgba.png"]
    for digit in range(10):
        width, height = rng.randint(160, 320), rng.randint(160, 320)
        box = rng.randint(90, min(width, height) - 30)
        left, top = rng.randint(5, width - int(box * 0.8) - 5), rng.randint(5, height - box - 5)
        ink = render(digit, width, height, box, left, top, slant=rng.uniform(-0.1, 0.35), pen=box * rng.uniform(0.07, 0.12), rng=rng)
        paper, pen = rng.randint(220, 250), rng.randint(10, 70)
        grey = [[round(paper + (pen - paper) * v) for v in row] for row in ink]
        kind = kinds[digit]
        name = os.path.join(out, f"{digit}-{kind}")
        if kind == "grey.pgm":
            data = f"P5\n# digit {digit}, drawn by scripts/draw-example-digits.py\n{width} {height}\n255\n".encode() + bytes(v for row in grey for v in row)
        elif kind == "colour.ppm":
            data = f"P6\n{width} {height}\n255\n".encode() + bytes(c for row in grey for v in row for c in (max(0, v - 40), max(0, v - 20), v))
        elif kind == "rgb.png":
            data = png(width, height, 2, [[c for v in row for c in (v, max(0, v - 8), max(0, v - 25))] for row in grey])
        elif kind == "rgba.png":
            data = png(width, height, 6, [[c for v in row for c in (20, 40, 140, round(255 * v))] for row in ink])
        elif kind == "palette.png":
            levels = sorted(set(v for row in grey for v in row))[:256]
            index = {v: i for i, v in enumerate(levels)}
            data = png(width, height, 3, [[index[v] for v in row] for row in grey], palette=[c for v in levels for c in (v, v, v)])
        else:
            data = png(width, height, 0, grey, interlaced=kind == "interlaced.png")
        with open(name, "wb") as f:
            f.write(data)
        drawn.append((f"{digit}-{kind}", grey))
    print(f"wrote 10 digits into {out}")
    if "--sheet" in sys.argv:
        at = sys.argv.index("--sheet")
        sheet(drawn, sys.argv[at + 1], sys.argv[at + 2])
        print(f"wrote {sys.argv[at + 2]}")


if __name__ == "__main__":
    main()
