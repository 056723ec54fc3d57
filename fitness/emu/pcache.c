#include "fitness/emu/pcache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    struct entry *next_in_bucket;
    struct entry *newer, *older; /* LRU list */
    uint64_t hash;
    size_t klen, vlen;
    unsigned char data[]; /* key, then value */
} entry;

struct pcache {
    pthread_mutex_t lock;
    size_t budget;
    entry **buckets;
    size_t n_buckets; /* power of two */
    entry *newest, *oldest;
    pcache_stats st;
};

pcache *pcache_create(size_t budget, ax_err *err)
{
    pcache *c = calloc(1, sizeof *c);
    if (c) {
        c->n_buckets = 4096;
        c->buckets = calloc(c->n_buckets, sizeof *c->buckets);
    }
    if (!c || !c->buckets) {
        free(c);
        ax_fail(err, AX_EINTERNAL, "out of memory");
        return NULL;
    }
    c->budget = budget;
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

void pcache_free(pcache *c)
{
    if (!c)
        return;
    for (entry *e = c->newest; e;) {
        entry *next = e->older;
        free(e);
        e = next;
    }
    free(c->buckets);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static entry *find(pcache *c, const void *key, size_t klen, uint64_t hash, entry ***link)
{
    entry **p = &c->buckets[hash & (c->n_buckets - 1)];
    for (; *p; p = &(*p)->next_in_bucket)
        if ((*p)->hash == hash && (*p)->klen == klen && !memcmp((*p)->data, key, klen)) {
            if (link)
                *link = p;
            return *p;
        }
    return NULL;
}

static void unlink_lru(pcache *c, entry *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void push_newest(pcache *c, entry *e)
{
    e->older = c->newest;
    e->newer = NULL;
    if (c->newest)
        c->newest->newer = e;
    c->newest = e;
    if (!c->oldest)
        c->oldest = e;
}

static size_t cost(const entry *e)
{
    return sizeof *e + e->klen + e->vlen;
}

int pcache_get(pcache *c, const void *key, size_t klen, uint64_t hash, void *out, size_t len)
{
    pthread_mutex_lock(&c->lock);
    c->st.lookups++;
    entry *e = find(c, key, klen, hash, NULL);
    int hit = e && e->vlen == len;
    if (hit) {
        c->st.hits++;
        memcpy(out, e->data + e->klen, len);
        unlink_lru(c, e);
        push_newest(c, e);
    }
    pthread_mutex_unlock(&c->lock);
    return hit;
}

static void evict_oldest(pcache *c)
{
    entry *e = c->oldest;
    entry **link = NULL;
    find(c, e->data, e->klen, e->hash, &link);
    *link = e->next_in_bucket;
    unlink_lru(c, e);
    c->st.bytes -= cost(e);
    c->st.entries--;
    c->st.evictions++;
    free(e);
}

void pcache_put(pcache *c, const void *key, size_t klen, uint64_t hash, const void *val, size_t len)
{
    size_t need = sizeof(entry) + klen + len;
    if (need > c->budget)
        return;
    pthread_mutex_lock(&c->lock);
    if (!find(c, key, klen, hash, NULL)) {
        while (c->st.bytes + need > c->budget && c->oldest)
            evict_oldest(c);
        entry *e = malloc(need);
        if (e) {
            e->hash = hash;
            e->klen = klen;
            e->vlen = len;
            memcpy(e->data, key, klen);
            memcpy(e->data + klen, val, len);
            entry **b = &c->buckets[hash & (c->n_buckets - 1)];
            e->next_in_bucket = *b;
            *b = e;
            push_newest(c, e);
            c->st.bytes += need;
            c->st.entries++;
            c->st.stores++;
        }
    }
    pthread_mutex_unlock(&c->lock);
}

pcache_stats pcache_get_stats(pcache *c)
{
    pthread_mutex_lock(&c->lock);
    pcache_stats s = c->st;
    pthread_mutex_unlock(&c->lock);
    return s;
}
