#!/usr/bin/env bash
# Fuzzes one reader of untrusted bytes with libFuzzer (docs/hardening.md, "Fuzzing").
#
#   scripts/fuzz.sh TARGET [SECONDS] [-- LIBFUZZER-FLAGS...]
#
# TARGET: idx, gzip, png, pnm, model, task or plan. SECONDS: how long to fuzz (default 60).
# Anything after `--` goes to libFuzzer as it is (-seed=1, -jobs=2, -use_value_profile=1, ...).
#
# Builds the FuzzReaders harness (Fuzz/Harness) with libFuzzer and AddressSanitizer, both from
# the Swift toolchain, into its own scratch path (.build-fuzz/libfuzzer: the sanitizer flags
# never touch .build), then fuzzes the target from its seed corpus Fuzz/corpus/TARGET. The
# inputs libFuzzer adds go to .build-fuzz/corpus/TARGET (kept between runs, never into the
# repository); an input that crashes, trips a sanitizer, times out or runs out of memory is
# saved under .build-fuzz/findings/TARGET/ and the script fails.
#
# Environment: FUZZ_SCRATCH_PATH (default .build-fuzz/libfuzzer) and FUZZ_WORK (default
# .build-fuzz) move the build and the generated corpus and findings.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
    echo "Usage: scripts/fuzz.sh idx|gzip|png|pnm|model|task|plan [SECONDS] [-- LIBFUZZER-FLAGS...]" >&2
    exit 64
}

[[ $# -ge 1 ]] || usage
target=$1
shift
seconds=60
if [[ $# -ge 1 && $1 != "--" ]]; then
    seconds=$1
    shift
fi
[[ $seconds =~ ^[0-9]+$ && $seconds -ge 1 ]] || { echo "Error: SECONDS must be a whole number of at least 1. Got '$seconds' instead." >&2; usage; }
if [[ $# -ge 1 ]]; then
    [[ $1 == "--" ]] || usage
    shift
fi

# The longest input per target: a few times the largest seed, so that the fuzzer can grow
# inputs but spends its time on sizes where the readers' logic is, not on copying bytes; and
# the dictionary of the format's words (chunk names, JSON keys, numbers at the edges of Int).
dictionary=
case $target in
    idx) max_len=4096 ;;
    gzip) max_len=4096 ;;
    png) max_len=8192; dictionary=png ;;
    pnm) max_len=4096; dictionary=pnm ;;
    model) max_len=32768; dictionary=json ;;
    task) max_len=16384; dictionary=json ;;
    plan) max_len=16384; dictionary=json ;;
    *) echo "Error: unknown target '$target'." >&2; usage ;;
esac

scratch=${FUZZ_SCRATCH_PATH:-.build-fuzz/libfuzzer}
work=${FUZZ_WORK:-.build-fuzz}
seeds=Fuzz/corpus/$target
corpus=$work/corpus/$target
findings=$work/findings/$target
log=$work/logs/$target-$(date +%Y%m%d-%H%M%S).log
mkdir -p "$corpus" "$findings" "$(dirname "$log")"

echo "fuzz.sh: building FuzzReaders with -sanitize=fuzzer,address in $scratch" >&2
# ld.gold's "Cannot export local symbol '__asan_extra_spill_area'" is harmless; everything else is shown.
set +e
swift build -c release --scratch-path "$scratch" --product FuzzReaders \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING 2>&1 | grep -v "__asan_extra_spill_area" >&2
built=${PIPESTATUS[0]}
set -e
[[ $built -eq 0 ]] || { echo "Error: the harness did not build (see above)." >&2; exit 1; }
binary=$(swift build -c release --scratch-path "$scratch" --show-bin-path)/FuzzReaders

flags=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" -print_final_stats=1
       -artifact_prefix="$findings/")
[[ -n $dictionary ]] && flags+=(-dict="Fuzz/dictionaries/$dictionary.dict")
before=$(find "$findings" -type f | wc -l)

echo "fuzz.sh: fuzzing $target for $seconds s (seeds: $seeds, corpus: $corpus, log: $log)" >&2
set +e
# -timeout: a single input taking 10 s is a hang. -rss_limit_mb: the largest image the readers
# accept (2^26 pixels) needs well under 2 GB, and so libFuzzer's -malloc_limit_mb (which follows
# it) reports any single allocation above 2 GB as a finding.
# SWIFT_BACKTRACE=enable=no: after a finding, the Swift runtime's backtracer and the
# sanitizer's own report fight over the dying process, and the backtracer was seen to hang
# (holding the log's pipe open); the sanitizer's report has the stack already.
FUZZ_TARGET=$target SWIFT_BACKTRACE=enable=no \
    LSAN_OPTIONS="suppressions=$PWD/Fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}" \
    "$binary" "${flags[@]}" "$@" "$corpus" "$seeds" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# The summary: libFuzzer's last status line (cov:, ft:, corp:) and its final stats.
last=$(grep -E "^#[0-9]+" "$log" | tail -n 1)
# (After a finding libFuzzer prints its final stats twice: the last ones count.)
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
corp=$(sed -n 's/.* corp: \([^ ]*\).*/\1/p' <<<"$last")
found=$(( $(find "$findings" -type f | wc -l) - before ))
echo
echo "fuzz.sh: $target, $seconds s: ${runs:-?} executions, ${rate:-?} exec/s, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?} (inputs/bytes), peak RSS ${rss:-?} MB, $found new finding(s) in $findings"
if [[ $status -ne 0 ]]; then
    echo "fuzz.sh: libFuzzer stopped with status $status: a finding (see the log above and $findings)." >&2
    echo "fuzz.sh: replay it with: FUZZ_TARGET=$target $binary FILE   (or, without sanitizers: .build/release/FuzzReaders $target FILE)" >&2
fi
exit "$status"
