// A software prefetch: clang's __builtin_prefetch, which Swift has no way to emit by itself.
// Header only (nothing to link). The GEMM uses it to ask for the next sliver of B, and the
// next strip of C, while it works on this one (Sources/LinearAlgebra/SliverPrefetch.swift).
#ifndef MNISTBENCH_PREFETCH_H
#define MNISTBENCH_PREFETCH_H

/// Asks for the cache line holding `address`, to be read soon (into every cache level).
/// Never faults, whatever the address.
static inline __attribute__((always_inline)) void mnistbench_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
