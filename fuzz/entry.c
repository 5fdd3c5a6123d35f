/* entry.c - libFuzzer's entry point, built once per target with -DFUZZ_TARGET=fuzz_NAME (see `make fuzz`). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return FUZZ_TARGET(data, size);
}
