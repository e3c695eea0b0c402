/*
 * Copyright (c) etagcore contributors. Licensed under MIT OR Apache-2.0.
 *
 * The tag cache every child of a host shares: a table in anonymous shared
 * memory made before the children fork, under one global mutex. A file is
 * hashed once per host and content version, whatever the number of
 * children; a child that needs a tag another child is hashing polls the
 * table until it is there (or until that child is found dead).
 */

#ifndef CONTENT_ETAG_SHM_H
#define CONTENT_ETAG_SHM_H

#include "apr_global_mutex.h"
#include "apr_pools.h"

#include "content_etag_cache.h"

typedef struct content_etag_shm_s  content_etag_shm_t;

/* the name of the global mutex, for Apache's Mutex directive */
#define CONTENT_ETAG_MUTEX  "content-etag-cache"

/* How often a child looks again at a file another child is hashing. */
#define CONTENT_ETAG_POLL  apr_time_from_msec(10)

/* NULL and `*err` set when the memory or the mutex cannot be made. */
content_etag_shm_t *content_etag_shm_create(apr_pool_t *pool, server_rec *s,
                                            apr_size_t entries,
                                            const char **err);

apr_status_t content_etag_shm_child_init(content_etag_shm_t *shm,
                                         apr_pool_t *pchild);

/*
 * As content_etag_cache_lookup, across the children: waits (polling) while
 * another process hashes the file. `*racy` is set on a hit on a racily
 * clean tag (one the caller must not keep).
 */
content_etag_lookup_e content_etag_shm_lookup(content_etag_shm_t *shm,
                                              const content_etag_key_t *key,
                                              apr_time_t since, char *tag,
                                              int *racy);

/* Ends this process's claim, as content_etag_cache_done. */
void content_etag_shm_done(content_etag_shm_t *shm,
                           const content_etag_key_t *key, const char *tag,
                           int racy);

#endif /* CONTENT_ETAG_SHM_H */
