/*
 * Copyright (c) etagcore contributors. Licensed under MIT OR Apache-2.0.
 *
 * The tag cache of one child process: every thread of the child shares it
 * under a mutex, a file being hashed is claimed so that concurrent
 * requests for it wait for that one hash, and the least recently used
 * entry makes room for a new one.
 */

#ifndef CONTENT_ETAG_CACHE_H
#define CONTENT_ETAG_CACHE_H

#include "apr_pools.h"

#include "content_etag_hash.h"

typedef struct content_etag_cache_s  content_etag_cache_t;

typedef enum {
    CONTENT_ETAG_HIT,      /* the tag is copied out */
    CONTENT_ETAG_CLAIMED,  /* hash the file, then content_etag_cache_done */
    CONTENT_ETAG_NO_ROOM   /* every entry is a claim: hash, do not cache */
} content_etag_lookup_e;

/* NULL when the mutex or the condition cannot be made */
content_etag_cache_t *content_etag_cache_create(apr_pool_t *pool,
                                                apr_size_t entries);

/*
 * The tag of the file version `key` into `tag`, waiting while another
 * thread hashes the same file. `since` is when the request looked (a
 * racily clean tag serves only requests that were waiting for its hash).
 */
content_etag_lookup_e content_etag_cache_lookup(content_etag_cache_t *cache,
                                                const content_etag_key_t *key,
                                                apr_time_t since, char *tag);

/*
 * Ends a claim: `tag` NULL (the hash failed, or the file changed) drops the
 * entry; `racy` keeps it only for the requests already waiting. Wakes the
 * waiters either way.
 */
void content_etag_cache_done(content_etag_cache_t *cache,
                             const content_etag_key_t *key, const char *tag,
                             int racy);

#endif /* CONTENT_ETAG_CACHE_H */
