/*
 * Hashing one open file into its content digest.
 *
 * The descriptor is the one nginx serves the body from, so the tag names
 * the bytes sent; it may be O_DIRECT (directio), hence aligned reads into
 * an aligned buffer, whole chunks even at the end of the file.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include <etagcore.h>

#include "ngx_http_content_etag_hash.h"


/*
 * A file changed within this much of its read may have changed again
 * without a new mtime or ctime: filesystems stamp times at a tick of the
 * kernel clock, and some (FAT) only every two seconds.
 */
#define NGX_HTTP_CONTENT_ETAG_RACY_NS  (2 * 1000000000LL)


static int64_t
ngx_http_content_etag_ns(struct timespec *ts)
{
    return (int64_t) ts->tv_sec * 1000000000LL + ts->tv_nsec;
}


ngx_int_t
ngx_http_content_etag_key(ngx_fd_t fd, ngx_http_content_etag_key_t *key)
{
    struct stat  st;

    if (fstat(fd, &st) == -1) {
        return NGX_ERROR;
    }

    key->dev = st.st_dev;
    key->ino = st.st_ino;
    key->size = st.st_size;
    key->mtime = ngx_http_content_etag_ns(&st.st_mtim);
    key->ctime = ngx_http_content_etag_ns(&st.st_ctim);

    return NGX_OK;
}


void
ngx_http_content_etag_hash(void *data, ngx_log_t *log)
{
    ngx_http_content_etag_job_t *job = data;

    u_char                        tag[ETAGCORE_CONTENT_TAG_LEN];
    off_t                         offset;
    size_t                        tag_len;
    ssize_t                       n;
    int64_t                       started, changed;
    ngx_uint_t                    i;
    struct timespec               now;
    etagcore_hasher               hasher;
    ngx_http_content_etag_key_t   after;

    job->rc = NGX_ERROR;
    job->err = 0;

    (void) clock_gettime(CLOCK_REALTIME, &now);
    started = ngx_http_content_etag_ns(&now);

    if (etagcore_hasher_init(&hasher) != ETAGCORE_RESULT_OK) {
        return;
    }

    for (offset = 0; offset < job->key.size; offset += n) {

        n = pread(job->fd, job->buf, NGX_HTTP_CONTENT_ETAG_CHUNK, offset);

        if (n == -1) {
            job->err = ngx_errno;
            return;
        }

        if (n == 0) {
            /* shrank while read: the recheck below declines it */
            break;
        }

        if (etagcore_hasher_update(&hasher, job->buf, (size_t) n)
            != ETAGCORE_RESULT_OK)
        {
            return;
        }

        if (n < NGX_HTTP_CONTENT_ETAG_CHUNK) {
            /* the end; an O_DIRECT read must not start at an odd offset */
            offset += n;
            break;
        }
    }

    if (ngx_http_content_etag_key(job->fd, &after) != NGX_OK) {
        job->err = ngx_errno;
        return;
    }

    if (offset != job->key.size
        || after.size != job->key.size
        || after.mtime != job->key.mtime
        || after.ctime != job->key.ctime)
    {
        job->rc = NGX_DECLINED;
        return;
    }

    if (etagcore_hasher_finish(&hasher, 0, tag, ETAGCORE_CONTENT_TAG_LEN,
                               &tag_len)
        != ETAGCORE_RESULT_OK)
    {
        return;
    }

    /* "<32 hex digits>": kept as 16 bytes in the zone */
    for (i = 0; i < NGX_HTTP_CONTENT_ETAG_DIGEST_LEN; i++) {
        job->digest[i] = (u_char) ngx_hextoi(&tag[1 + 2 * i], 2);
    }

    changed = ngx_max(job->key.mtime, job->key.ctime);
    job->racy = changed + NGX_HTTP_CONTENT_ETAG_RACY_NS > started;
    job->rc = NGX_OK;
}


ngx_int_t
ngx_http_content_etag_format(u_char *digest, u_char *tag)
{
    size_t  len;

    if (etagcore_digest_tag_format(digest, NGX_HTTP_CONTENT_ETAG_DIGEST_LEN,
                                   0, tag, ETAGCORE_CONTENT_TAG_LEN, &len)
        != ETAGCORE_RESULT_OK
        || len != ETAGCORE_CONTENT_TAG_LEN)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}
