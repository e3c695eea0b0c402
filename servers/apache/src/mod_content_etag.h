/*
 * Copyright (c) etagcore contributors. Licensed under MIT OR Apache-2.0.
 *
 * mod_content_etag: what the handler and the deciding filter share.
 */

#ifndef MOD_CONTENT_ETAG_H
#define MOD_CONTENT_ETAG_H

#include "httpd.h"

#include "content_etag_cache.h"
#include "content_etag_shm.h"

#define CONTENT_ETAG_CACHE_ENTRIES  10000

/* a read of 64 KiB per pread while hashing */
#define CONTENT_ETAG_READ_SIZE  65536

typedef struct {
    int                    enable;        /* ContentETag, -1 unset */
} content_etag_dir_conf_t;

typedef struct {
    apr_size_t             entries;       /* ContentETagCacheEntries */
    content_etag_shm_t    *shm;           /* the host's, made by the parent */
    content_etag_cache_t  *cache;         /* the child's copy, in front */
} content_etag_server_conf_t;

/* What the handler tells the deciding filter. */
typedef struct {
    const char            *etag;          /* "<32 hex>", or a weak fallback */
    const char            *length;        /* the Content-Length it set */
    unsigned               decided:1;
    unsigned               drop:1;        /* 304: no body goes out */
} content_etag_ctx_t;

apr_status_t content_etag_decide_filter(ap_filter_t *f, apr_bucket_brigade *bb);

#endif /* MOD_CONTENT_ETAG_H */
