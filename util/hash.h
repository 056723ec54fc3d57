/* hash: FNV-1a 64 (Fowler, Noll, Vo), for checksums of saved files and
 * keys of in-memory tables. Not cryptographic. */
#ifndef AX_UTIL_HASH_H
#define AX_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV_OFFSET UINT64_C(14695981039346656037) /* 0xcbf29ce484222325 */

/* Continues hash h (start with HASH_FNV_OFFSET) over len bytes. */
uint64_t hash_fnv1a64(uint64_t h, const void *data, size_t len);

#endif
