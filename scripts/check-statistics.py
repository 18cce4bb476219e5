"""Recomputes every interval and p-value of a results directory with statsmodels, from its
predictions.csv files, and prints the largest differences from what bench wrote.

    pip install statsmodels
    python3 scripts/check-statistics.py results
"""
import csv, sys, itertools, os
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.multitest import multipletests
d = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(d, "summary.csv"))))
algos = [r["algorithm"] for r in rows if os.path.exists(os.path.join(d, r["algorithm"], "predictions.csv"))]
preds = {a: [(int(r["label"]), int(r["predicted"])) for r in csv.DictReader(open(os.path.join(d, a, "predictions.csv")))] for a in algos}
worst = 0.0
for r in rows:
    a = r["algorithm"]; p = preds[a]; x = sum(l == q for l, q in p)
    lo, hi = proportion_confint(x, len(p), alpha=0.05, method="wilson")
    worst = max(worst, abs(lo - float(r["test_accuracy_low"])), abs(hi - float(r["test_accuracy_high"])))
    # per class
    for m in csv.DictReader(open(os.path.join(d, a, "metrics.csv"))):
        if not m["class"].isdigit(): continue
        c = int(m["class"])
        tp = sum(l == c and q == c for l, q in p); pred = sum(q == c for _, q in p); act = sum(l == c for l, _ in p)
        for (n, low, high) in [(pred, "precision_low", "precision_high"), (act, "recall_low", "recall_high")]:
            if n == 0: continue
            lo, hi = proportion_confint(tp, n, alpha=0.05, method="wilson")
            worst = max(worst, abs(lo - float(m[low])), abs(hi - float(m[high])))
print(f"Wilson intervals: largest difference from statsmodels {worst:.2e} (bounds are written with 7 decimals)")
comp = list(csv.DictReader(open(os.path.join(d, "comparison.csv"))))
ps = []
worst_p = 0.0
for row in comp:
    a, b = row["first"], row["second"]
    b_ = sum(pa[0] == pa[1] and pb[0] != pb[1] for pa, pb in zip(preds[a], preds[b]))
    c_ = sum(pa[0] != pa[1] and pb[0] == pb[1] for pa, pb in zip(preds[a], preds[b]))
    res = mcnemar([[0, b_], [c_, 0]], exact=True)
    ps.append(res.pvalue)
    worst_p = max(worst_p, abs(res.pvalue - float(row["mcnemar_exact_p"])) / max(res.pvalue, 1e-300) if res.pvalue > 0 else 0)
holm = multipletests(ps, method="holm")[1]
worst_h = max(abs(h - float(row["holm_p"])) / max(h, 1e-300) for h, row in zip(holm, comp))
print(f"McNemar exact p: largest relative difference {worst_p:.2e}; Holm: {worst_h:.2e} over {len(comp)} pairs (p-values are written with 9 significant digits)")
