// A software prefetch: clang's __builtin_prefetch, which Swift has no way to emit by itself.
// Header only (nothing to link). The GEMM's zero-skipping kernel uses it to ask for the next
// sliver of B while it works on this one (Sources/LinearAlgebra/ZeroSteps.swift).
#ifndef MNISTBENCH_PREFETCH_H
#define MNISTBENCH_PREFETCH_H

/// Asks for the cache line holding `address`, to be read soon (into every cache level).
/// Never faults, whatever the address.
static inline __attribute__((always_inline)) void mnistbench_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

/// Asks for the cache line holding `address`, to be written soon.
static inline __attribute__((always_inline)) void mnistbench_prefetch_write(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

#endif
