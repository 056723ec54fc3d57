/* gset: a set of genomes. A genome is a fixed-size key of key_bytes bytes
 * (the integer genes, and for mixed genomes the real genes, as stored in
 * memory); the set keeps a copy of each key in insertion order, so every
 * member has an index 0..count-1 that callers use to keep data beside it
 * (the fitness cache keeps a result per index).
 *
 * One implementation serves the GA's duplicate elimination, the fitness
 * function's evaluation cache and the random baseline's distinct draws.
 * Open addressing with linear probing over FNV-1a 64 hashes; the table is
 * kept at most half full, so a look-up costs O(1) expected and the set
 * grows by doubling. Not thread-safe for writes. */
#ifndef AX_UTIL_GSET_H
#define AX_UTIL_GSET_H

#include <stddef.h>

typedef struct gset gset;

/* An empty set of key_bytes-byte keys (key_bytes >= 1); NULL when out of
 * memory. */
gset *gset_create(size_t key_bytes);
/* NULL is a no-op. */
void gset_free(gset *s);

size_t gset_count(const gset *s);
size_t gset_key_bytes(const gset *s);
/* Member i (i < count), owned by the set; valid until the next add. */
const void *gset_key(const gset *s, size_t i);

/* Index of key, or -1 when absent. */
long gset_find(const gset *s, const void *key);

/* Index of key, adding it at the end when absent (*added = 1, else 0;
 * added may be NULL); -1 when out of memory (the set is unchanged). */
long gset_add(gset *s, const void *key, int *added);

/* Makes room for n members in all: until the set holds n, gset_add does
 * not allocate (and cannot fail). 0, or -1 when out of memory. */
int gset_reserve(gset *s, size_t n);

/* Removes every member (keeps the memory). */
void gset_clear(gset *s);

#endif
