#ifndef KIZUNA_ALLOC_COUNTER_H
#define KIZUNA_ALLOC_COUNTER_H
#include <stdint.h>
/// Number of calls to malloc, calloc, realloc, posix_memalign, aligned_alloc and memalign
/// made by this process since it started. Only counts in an executable that links this
/// target: its definitions take precedence over the C library's.
uint64_t kz_allocation_count(void);
#endif
