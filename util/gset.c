#include "util/gset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

struct gset {
    size_t key_bytes;
    unsigned char *keys; /* [cap][key_bytes], insertion order */
    size_t n, cap;
    long *slots;         /* [n_slots] index into keys, -1 = empty */
    size_t n_slots;      /* a power of two, >= 2 n */
};

gset *gset_create(size_t key_bytes)
{
    if (key_bytes == 0)
        return NULL;
    gset *s = calloc(1, sizeof *s);
    if (s)
        s->key_bytes = key_bytes;
    return s;
}

void gset_free(gset *s)
{
    if (!s)
        return;
    free(s->keys);
    free(s->slots);
    free(s);
}

size_t gset_count(const gset *s) { return s->n; }
size_t gset_key_bytes(const gset *s) { return s->key_bytes; }

const void *gset_key(const gset *s, size_t i)
{
    return s->keys + i * s->key_bytes;
}

static size_t home_slot(const gset *s, const void *key, size_t n_slots)
{
    return (size_t)hash_fnv1a64(HASH_FNV_OFFSET, key, s->key_bytes) & (n_slots - 1);
}

long gset_find(const gset *s, const void *key)
{
    if (s->n_slots == 0)
        return -1;
    size_t mask = s->n_slots - 1;
    for (size_t at = home_slot(s, key, s->n_slots);; at = (at + 1) & mask) {
        long i = s->slots[at];
        if (i < 0)
            return -1;
        if (!memcmp(s->keys + (size_t)i * s->key_bytes, key, s->key_bytes))
            return i;
    }
}

/* Rebuilds the table with n_slots slots over the members. */
static int rehash(gset *s, size_t n_slots)
{
    long *slots = malloc(n_slots * sizeof *slots);
    if (!slots)
        return -1;
    for (size_t k = 0; k < n_slots; k++)
        slots[k] = -1;
    for (size_t i = 0; i < s->n; i++) {
        size_t at = home_slot(s, s->keys + i * s->key_bytes, n_slots);
        while (slots[at] >= 0)
            at = (at + 1) & (n_slots - 1);
        slots[at] = (long)i;
    }
    free(s->slots);
    s->slots = slots;
    s->n_slots = n_slots;
    return 0;
}

static int grow_keys(gset *s, size_t cap)
{
    if (cap <= s->cap)
        return 0;
    unsigned char *keys = realloc(s->keys, cap * s->key_bytes);
    if (!keys)
        return -1;
    s->keys = keys;
    s->cap = cap;
    return 0;
}

/* The table size that keeps n members at most half full. */
static size_t slots_for(size_t n)
{
    size_t k = 128;
    while (k < 2 * n)
        k *= 2;
    return k;
}

int gset_reserve(gset *s, size_t n)
{
    if (grow_keys(s, n) != 0)
        return -1;
    return slots_for(n) > s->n_slots ? rehash(s, slots_for(n)) : 0;
}

long gset_add(gset *s, const void *key, int *added)
{
    if (added)
        *added = 0;
    long i = gset_find(s, key);
    if (i >= 0)
        return i;
    if (s->n == s->cap && grow_keys(s, s->cap ? 2 * s->cap : 64) != 0)
        return -1;
    if (2 * (s->n + 1) > s->n_slots && rehash(s, slots_for(s->n + 1)) != 0)
        return -1;
    memcpy(s->keys + s->n * s->key_bytes, key, s->key_bytes);
    size_t at = home_slot(s, key, s->n_slots);
    while (s->slots[at] >= 0)
        at = (at + 1) & (s->n_slots - 1);
    s->slots[at] = (long)s->n;
    if (added)
        *added = 1;
    return (long)s->n++;
}

void gset_clear(gset *s)
{
    s->n = 0;
    for (size_t k = 0; k < s->n_slots; k++)
        s->slots[k] = -1;
}
