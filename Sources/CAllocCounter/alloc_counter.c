// Counts heap allocations for the benchmarks, by defining the allocation functions in the
// executable (which takes precedence over glibc's) and forwarding to glibc's own entry
// points. Used only by kizuna-bench; never linked into the product.
#define _GNU_SOURCE
#include "alloc_counter.h"
#include <stddef.h>
#include <errno.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static _Atomic uint64_t allocations;

uint64_t kz_allocation_count(void) { return allocations; }

void *malloc(size_t n) { allocations++; return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { allocations++; return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { allocations++; return __libc_realloc(p, n); }
void *memalign(size_t align, size_t n) { allocations++; return __libc_memalign(align, n); }
void *aligned_alloc(size_t align, size_t n) { allocations++; return __libc_memalign(align, n); }
int posix_memalign(void **out, size_t align, size_t n) {
    allocations++;
    void *p = __libc_memalign(align, n);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
