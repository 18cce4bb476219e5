// libFuzzer's driver, for a program that has its own main: "Using libFuzzer as a library"
// (https://llvm.org/docs/LibFuzzer.html#using-libfuzzer-as-a-library). The function is in the
// libFuzzer runtime that `swiftc -sanitize=fuzzer` links; only the FUZZING build calls it, so
// the normal build declares it and links nothing.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));
