/* pcache: a bounded, thread-safe store of byte blobs under byte keys, least
 * recently used first out. The emulator keeps in it the activations of an
 * image block after a MAC layer, keyed by everything that produced them
 * (the images, the product tables of the layers so far, the fault draws),
 * so chromosomes that share a prefix share its work (fitness/emu/emu.h).
 * Values are copied in and out under a lock; a hit gives exactly the bytes
 * stored, so results never depend on what the cache holds. */
#ifndef AX_FITNESS_EMU_PCACHE_H
#define AX_FITNESS_EMU_PCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef struct pcache pcache;

typedef struct pcache_stats {
    uint64_t lookups, hits, stores, evictions;
    size_t bytes, entries;
} pcache_stats;

/* budget: bytes kept at most: keys, values and each entry's own
 * bookkeeping (a few dozen bytes), so a small budget holds fewer entries
 * than its keys and values alone would suggest. */
pcache *pcache_create(size_t budget, ax_err *err);
void pcache_free(pcache *c);

/* Copies the value under key (klen bytes, hash precomputed by the caller)
 * into out, which must hold len bytes; 1 if found with that length. */
int pcache_get(pcache *c, const void *key, size_t klen, uint64_t hash, void *out, size_t len);

/* Stores a copy of the value, evicting the least recently used entries to
 * stay within the budget; nothing if the key is present or the entry alone
 * exceeds the budget, or memory runs out. */
void pcache_put(pcache *c, const void *key, size_t klen, uint64_t hash, const void *val, size_t len);

pcache_stats pcache_get_stats(pcache *c);

#endif
