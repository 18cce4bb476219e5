#!/usr/bin/env python3
"""Accuracy of a `bench predict` CSV against a labels CSV (file,label), matched by file name.

    python3 scripts/score-predictions.py predictions.csv labels.csv
For an IDX file's rows (one source, many indices), labels are taken in index order.
"""
import csv
import os
import sys


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    with open(sys.argv[2]) as f:
        labels = [(row["file"], int(row["label"])) for row in csv.DictReader(f)]
    by_name = dict(labels)
    right = total = 0
    with open(sys.argv[1]) as f:
        for row in csv.DictReader(f):
            name = os.path.basename(row["source"])
            truth = by_name.get(name)
            if truth is None:
                truth = labels[int(row["index"])][1]
            total += 1
            right += int(row["predicted"]) == truth
    print(f"{right} of {total} right: {100 * right / max(total, 1):.2f}%")


if __name__ == "__main__":
    main()
