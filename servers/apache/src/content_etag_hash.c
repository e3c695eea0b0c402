/*
 * Copyright (c) etagcore contributors. Licensed under MIT OR Apache-2.0.
 */

#include <errno.h>
#include <unistd.h>

#include "content_etag_hash.h"


void content_etag_key_from_stat(content_etag_key_t *key, const struct stat *st)
{
    key->dev = (apr_uint64_t)st->st_dev;
    key->ino = (apr_uint64_t)st->st_ino;
    key->size = (apr_int64_t)st->st_size;
    key->mtime_ns = (apr_int64_t)st->st_mtim.tv_sec * 1000000000
                    + st->st_mtim.tv_nsec;
    key->ctime_ns = (apr_int64_t)st->st_ctim.tv_sec * 1000000000
                    + st->st_ctim.tv_nsec;
}


int content_etag_key_equal(const content_etag_key_t *a,
                           const content_etag_key_t *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size
           && a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}


int content_etag_key_is_racy(const content_etag_key_t *key, apr_time_t start)
{
    apr_int64_t  changed;

    changed = key->mtime_ns > key->ctime_ns ? key->mtime_ns : key->ctime_ns;

    return changed + CONTENT_ETAG_RACY_NS > (apr_int64_t)start * 1000;
}


apr_status_t content_etag_hash_fd(int fd, apr_int64_t size, char *buf,
                                  apr_size_t buf_size, char *tag)
{
    size_t           len;
    ssize_t          n;
    apr_int64_t      offset;
    etagcore_hasher  hasher;

    if (etagcore_hasher_init(&hasher) != ETAGCORE_RESULT_OK) {
        return APR_EGENERAL;
    }

    for (offset = 0; offset < size; offset += n) {
        len = buf_size;
        if ((apr_int64_t)len > size - offset) {
            len = (size_t)(size - offset);
        }

        n = pread(fd, buf, len, (off_t)offset);

        if (n == -1) {
            if (errno == EINTR) {
                n = 0;
                continue;
            }
            return errno;
        }

        if (n == 0) {
            return APR_EOF;
        }

        if (etagcore_hasher_update(&hasher, (const uint8_t *)buf,
                                   (size_t)n)
            != ETAGCORE_RESULT_OK)
        {
            return APR_EGENERAL;
        }
    }

    if (etagcore_hasher_finish(&hasher, 0, (uint8_t *)tag,
                               CONTENT_ETAG_TAG_SIZE - 1, &len)
        != ETAGCORE_RESULT_OK)
    {
        return APR_EGENERAL;
    }

    tag[len] = '\0';

    return APR_SUCCESS;
}
