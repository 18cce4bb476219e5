#!/usr/bin/env python3
"""Checks that every algorithm's cost follows the work: runs `bench run --folds 0` on MNIST and
on sets with other class counts and image sizes (made by make-synthetic-set.py), and divides
each time by the work it stands for, in the algorithm's own measure:

  softmax  fit / (objective evaluations × nonzero training pixels × classes)
  knn      predict / (training images × test images): the pairs it bounds; a projection
           bound leaves exact distances over all pixels for a few hundred per query, so
           pixels hardly enter (docs/knn.md)
  forest   fit / (trees × n log₂ n × candidate features per split), and fit / (nodes grown ×
           candidate features): more classes need larger trees, the first counts that as a
           higher cost, the second as more work
  svm      predict / (support vectors × test images × (pixels used + classes − 1)): the
           kernel values, then each support vector's k − 1 pairs;
           fit / (kernel rows computed × mean pair size × pixels used)
  mlp      fit / (epochs × training images × parameters)
  cnn      fit / (epochs × training images × multiply-adds of one forward pass)

The ratio of each set's figure to MNIST's, measured in the same run, is what should stay near
1: a ratio well above it means a slow path for that many classes or that image size. Writes
results/scaling.csv (or --out) and prints the table docs/scaling.md shows.

    python3 scripts/scaling.py [--bench .build/release/bench] [--train-size 20000] [--repeats 3]
        [--sets 10x28,47x28,80x28,10x32,62x16] [--algos softmax,knn,forest,svm,mlp,cnn]

Sets other than 10x28 (MNIST itself, data/mnist) are made in a scratch directory. Needs numpy
(for the sets).
"""
import argparse
import csv
import math
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def fact(report, name):
    """The value of the fact `name` in a report.md's model table."""
    for line in report.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0] == name:
            return cells[1]
    raise SystemExit(f"scaling.py: the report has no fact '{name}'")


def first_int(text):
    return int(re.search(r"\d+", text).group(0))


def nonzero_per_image(data):
    """Mean number of nonzero pixels per training image of the set in `data`."""
    import gzip
    path = os.path.join(data, "train-images-idx3-ubyte")
    opener, path = (open, path) if os.path.exists(path) else (gzip.open, path + ".gz")
    with opener(path, "rb") as f:
        raw = f.read()
    count = int.from_bytes(raw[4:8], "big")
    return np.count_nonzero(np.frombuffer(raw[16:], dtype=np.uint8)) / count


def work(algo, report, row, classes, side, train, test, nonzero_per_image):
    pixels = side * side
    if algo == "softmax":
        evaluations = int(re.search(r"\((\d+) objective evaluations\)", fact(report, "L-BFGS iterations")).group(1))
        return [("fit", float(row["fit_seconds"]), evaluations * nonzero_per_image * train * classes)]
    if algo == "knn":
        return [("predict", float(row["predict_seconds"]), train * test)]
    if algo == "forest":
        trees = first_int(fact(report, "trees"))
        candidates = first_int(fact(report, "candidate features per split"))
        nodes = first_int(fact(report, "nodes"))
        return [("fit", float(row["fit_seconds"]), trees * train * math.log2(train) * candidates),
                ("fit per node", float(row["fit_seconds"]), nodes * candidates)]
    if algo == "svm":
        used = first_int(fact(report, "pixels used"))
        vectors = first_int(fact(report, "support vectors"))
        rows = first_int(fact(report, "kernel rows"))
        mean_pair = 2 * train / classes
        return [("fit", float(row["fit_seconds"]), rows * mean_pair * used),
                ("predict", float(row["predict_seconds"]), vectors * test * (used + classes - 1))]
    if algo == "mlp":
        epochs = first_int(fact(report, "epochs"))
        parameters = first_int(fact(report, "parameters"))
        return [("fit", float(row["fit_seconds"]), epochs * train * parameters)]
    if algo == "cnn":
        epochs = first_int(fact(report, "epochs"))
        h1 = side - 2
        p1 = h1 // 2
        h2 = p1 - 2
        p2 = h2 // 2
        f1, f2, hidden = (first_int(fact(report, name)) for name in ("filters1", "filters2", "hidden"))
        macs = h1 * h1 * f1 * 9 + h2 * h2 * f2 * f1 * 9 + p2 * p2 * f2 * hidden + hidden * classes
        return [("fit", float(row["fit_seconds"]), epochs * train * macs)]
    raise SystemExit(f"scaling.py: unknown algorithm {algo}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench", default=os.path.join(ROOT, ".build/release/bench"))
    parser.add_argument("--train-size", type=int, default=20000)
    parser.add_argument("--sets", default="10x28,47x28,80x28,10x32,62x16")
    parser.add_argument("--algos", default="softmax,knn,forest,svm,mlp,cnn")
    parser.add_argument("--out", default=os.path.join(ROOT, "results/scaling.csv"))
    parser.add_argument("--scratch", default=None)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each algorithm and set; the median time is used")
    args = parser.parse_args()
    scratch = args.scratch or tempfile.mkdtemp(prefix="scaling-")
    sets = []
    for spec in args.sets.split(","):
        classes, side = (int(v) for v in spec.split("x"))
        if (classes, side) == (10, 28):
            data = os.path.join(ROOT, "data/mnist")
        else:
            data = os.path.join(scratch, f"set-{classes}x{side}")
            if not os.path.exists(os.path.join(data, "t10k-labels-idx1-ubyte")):
                subprocess.run([sys.executable, os.path.join(HERE, "make-synthetic-set.py"), os.path.join(ROOT, "data/mnist"),
                                data, "--classes", str(classes), "--size", str(side)], check=True)
        sets.append((classes, side, data))

    if not any((c, s) == (10, 28) for c, s, _ in sets):
        raise SystemExit("scaling.py: --sets must include 10x28 (MNIST), the base of every ratio")

    records = []
    for algo in args.algos.split(","):
        # Each repeat runs every set once, so that a slow spell of a shared machine falls on
        # several sets' runs rather than on all of one set's; then the median per set.
        times = {}
        for _ in range(args.repeats):
            for classes, side, data in sets:
                out = os.path.join(scratch, f"out-{algo}-{classes}x{side}")
                subprocess.run([args.bench, "run", "--algo", algo, "--folds", "0", "--train-size", str(args.train_size),
                                "--data", data, "--out", out, "--no-models", "--quiet", "--fresh"], check=True)
                with open(os.path.join(out, "summary.csv")) as f:
                    row = next(r for r in csv.DictReader(f) if r["algorithm"] == algo)
                for key in ("fit_seconds", "predict_seconds"):
                    times.setdefault((classes, side, key), []).append(float(row[key]))
        for classes, side, data in sets:
            out = os.path.join(scratch, f"out-{algo}-{classes}x{side}")
            with open(os.path.join(out, "summary.csv")) as f:
                row = next(r for r in csv.DictReader(f) if r["algorithm"] == algo)
            # The median of the repeats; the work is the same in every one (the runs are deterministic).
            for key in ("fit_seconds", "predict_seconds"):
                values = sorted(times[(classes, side, key)])
                row[key] = values[len(values) // 2]
            with open(os.path.join(out, algo, "report.md")) as f:
                report = f.read()
            nonzero = nonzero_per_image(data)
            for phase, seconds, units in work(algo, report, row, classes, side, args.train_size, 10000, nonzero):
                records.append(dict(algorithm=algo, phase=phase, classes=classes, side=side, seconds=seconds, work=units,
                                    nanoseconds_per_unit=1e9 * seconds / units, accuracy=row["test_accuracy"]))
                print(f"{algo:8} {phase:12} {classes:3} classes {side:2}×{side:<2}  {seconds:8.3f} s  "
                      f"{1e9 * seconds / units:10.4f} ns per unit  accuracy {float(row['test_accuracy']):.4f}", flush=True)

    for record in records:
        base = next(r for r in records if r["algorithm"] == record["algorithm"] and r["phase"] == record["phase"]
                    and (r["classes"], r["side"]) == (10, 28))
        record["ratio_to_mnist"] = record["nanoseconds_per_unit"] / base["nanoseconds_per_unit"]
    temporary = args.out + ".tmp"
    with open(temporary, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(records[0].keys()))
        writer.writeheader()
        for record in records:
            writer.writerow({k: (f"{v:.6g}" if isinstance(v, float) else v) for k, v in record.items()})
    os.replace(temporary, args.out)

    labels = [f"{c} classes, {s}×{s}" for c, s, _ in sets]
    print("\n| algorithm | phase | " + " | ".join(labels) + " |")
    print("|---|---|" + "---:|" * len(sets))
    for algo in args.algos.split(","):
        for phase in ("fit", "fit per node", "predict"):
            cells = [next((r for r in records if r["algorithm"] == algo and r["phase"] == phase
                           and (r["classes"], r["side"]) == (c, s)), None) for c, s, _ in sets]
            if cells[0] is None:
                continue
            print(f"| {algo} | {phase} | " + " | ".join(f"{r['ratio_to_mnist']:.2f}" for r in cells) + " |")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
