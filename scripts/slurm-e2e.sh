#!/usr/bin/env bash
# End-to-end test on a real scheduler: starts a single-node Slurm (scripts/slurm-local.sh),
# submits `bench run --shard auto` as a 3-task job array, merges the shards' stores with
# `bench merge`, and checks that the merged reports and models equal a single process's
# (predictions, metrics, confusion matrices and per-fold accuracies byte for byte; timings
# may differ). Run by .ci/run after the test suite. Needs root (it may install Slurm).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
BENCH=${BENCH:-$(swift build -c release --show-bin-path)/bench}
[ -x "$BENCH" ] || { echo "slurm-e2e: $BENCH is not built (swift build -c release)" >&2; exit 1; }
scripts/slurm-local.sh

WORK=$(mktemp -d /tmp/mnistbench-slurm.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
chmod 755 "$WORK"
RUN=(run --algo softmax,knn --folds 3 --train-size 3000 --data "$PWD/data/mnist" --jobs 1 --set softmax.iterations=40)

"$BENCH" "${RUN[@]}" --out "$WORK/one" --models "$WORK/models-one" --quiet >/dev/null

# The job script docs/cluster.md gives, with this run's options: each array task runs its shard.
cat > "$WORK/job.sh" <<JOB
#!/usr/bin/env bash
set -euo pipefail
exec "$BENCH" ${RUN[*]} --shard auto --out "$WORK/shard-\$SLURM_ARRAY_TASK_ID" --quiet
JOB
chmod +x "$WORK/job.sh"
sbatch --wait --array=0-2 --cpus-per-task=1 --chdir="$WORK" --output="$WORK/slurm-%a.out" "$WORK/job.sh" \
    || { echo "slurm-e2e: the array job failed" >&2; tail -n 20 "$WORK"/slurm-*.out >&2; exit 1; }
for i in 0 1 2; do
    [ -d "$WORK/shard-$i/tasks" ] || { echo "slurm-e2e: array task $i stored nothing" >&2; cat "$WORK/slurm-$i.out" >&2; exit 1; }
done

"$BENCH" merge "$WORK/shard-0" "$WORK/shard-1" "$WORK/shard-2" --out "$WORK/merged" --models "$WORK/models-merged" --quiet >/dev/null

status=0
for algorithm in softmax knn; do
    for file in predictions.csv metrics.csv confusion.csv; do
        cmp -s "$WORK/one/$algorithm/$file" "$WORK/merged/$algorithm/$file" \
            || { echo "slurm-e2e: $algorithm/$file differs between one process and the merged shards" >&2; status=1; }
    done
    # Per-fold figures without the timing columns.
    if ! diff <(cut -d, -f1-5 "$WORK/one/$algorithm/cv_folds.csv") <(cut -d, -f1-5 "$WORK/merged/$algorithm/cv_folds.csv") >/dev/null; then
        echo "slurm-e2e: $algorithm/cv_folds.csv accuracies differ" >&2; status=1
    fi
    cmp -s "$WORK/models-one/$algorithm.model" "$WORK/models-merged/$algorithm.model" \
        || { echo "slurm-e2e: $algorithm.model differs" >&2; status=1; }
done
units=$(find "$WORK"/shard-*/tasks -name '*.task' | wc -l)
[ "$units" -eq 8 ] || { echo "slurm-e2e: the shards stored $units units, expected 8 (each once)" >&2; status=1; }
[ $status -eq 0 ] && echo "slurm-e2e: 3 Slurm array tasks ($units units) merged equal one process; $(( $(date +%s) - start )) s"
exit $status
