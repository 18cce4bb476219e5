#!/usr/bin/env bash
# Runs the test suite under a sanitizer from the Swift toolchain: ThreadSanitizer (data races
# across the parallel loops, folds and store writes) or AddressSanitizer (out-of-bounds and
# use-after-free in the unsafe-pointer kernels and readers).
#
#   scripts/sanitize.sh thread|address [swift test options, e.g. --filter Evaluation]
#
# Release mode, as the normal tests (debug runs the SIMD code lane by lane, far too slowly for
# the tests that fit real MNIST subsets), with its own scratch path so it never rebuilds .build.
# Any report fails the run: TSan and ASan make the process exit non-zero (halt_on_error).
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-}
case "$kind" in
    thread)  export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}" ;;
    address) export ASAN_OPTIONS="halt_on_error=1 detect_leaks=0 ${ASAN_OPTIONS:-}" ;;
    *) echo "usage: scripts/sanitize.sh thread|address [swift test options]" >&2; exit 64 ;;
esac
shift
scratch=.build-sanitize-$kind
start=$(date +%s)
swift build -c release --build-tests --sanitize="$kind" --scratch-path "$scratch"
# The SIGKILL test starts bench 22 times or more: under a sanitizer each run is about ten times
# slower, past its time limit, and it tests files left on disk, not threads or memory. Its
# SIGINT sibling, which runs the sanitized bench once, stays.
swift test -c release --skip-build --sanitize="$kind" --scratch-path "$scratch" --skip killedAtTwentyRandomMoments "$@"
echo "sanitize.sh: the test suite passed under the $kind sanitizer in $(( $(date +%s) - start )) s"
