/*
 * Copyright (c) etagcore contributors. Licensed under MIT OR Apache-2.0.
 *
 * Reading a file's bytes into its content tag, and the file identity a
 * tag is cached under.
 */

#ifndef CONTENT_ETAG_HASH_H
#define CONTENT_ETAG_HASH_H

#include <sys/stat.h>

#include "apr_general.h"
#include "apr_time.h"
#include "etagcore.h"

/* "<32 hex>" and W/"<32 hex>", each with room for a NUL */
#define CONTENT_ETAG_TAG_SIZE  (ETAGCORE_CONTENT_TAG_WEAK_LEN + 1)

/*
 * What a cached tag is valid for: the file (device, inode) and the
 * version of its bytes (size, mtime and ctime in nanoseconds). A rewrite
 * changes mtime and ctime; a rename deploy changes the inode.
 */
typedef struct {
    apr_uint64_t   dev;
    apr_uint64_t   ino;
    apr_int64_t    size;
    apr_int64_t    mtime_ns;
    apr_int64_t    ctime_ns;
} content_etag_key_t;

void content_etag_key_from_stat(content_etag_key_t *key, const struct stat *st);
int content_etag_key_equal(const content_etag_key_t *a,
                           const content_etag_key_t *b);

/*
 * Git's "racily clean" rule: a file changed within this long of the start
 * of its read may change again within the same timestamp tick, with no
 * change to its key. Its tag is used for the requests in flight, never
 * cached. 2 s covers FAT's two-second stamps.
 */
#define CONTENT_ETAG_RACY_NS  APR_INT64_C(2000000000)

int content_etag_key_is_racy(const content_etag_key_t *key, apr_time_t start);

/*
 * Hashes `size` bytes of `fd` from offset 0 with pread, through `buf`
 * (`buf_size` bytes), into the strong tag "<32 hex>" (NUL-terminated).
 * APR_SUCCESS, APR_EOF when the file is shorter than `size` (it shrank),
 * or the errno of a failed read.
 */
apr_status_t content_etag_hash_fd(int fd, apr_int64_t size, char *buf,
                                  apr_size_t buf_size, char *tag);

#endif /* CONTENT_ETAG_HASH_H */
