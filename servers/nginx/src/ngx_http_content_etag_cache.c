/*
 * Content tags of files, hashed with etagcore and cached per worker process.
 *
 * The cache is a fixed direct-mapped table in each worker (no shared memory, no locks, no
 * allocation): a slot is chosen from (device, inode) and holds the full key, so a changed file
 * misses and is hashed again, and a collision only costs a re-hash.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_content_etag_cache.h"


#define NGX_HTTP_CONTENT_ETAG_SLOTS  1024
#define NGX_HTTP_CONTENT_ETAG_CHUNK  65536


typedef struct {
    dev_t                dev;
    ino_t                ino;
    off_t                size;
    struct timespec      mtime;
    struct timespec      ctime;
} ngx_http_content_etag_key_t;


typedef struct {
    ngx_http_content_etag_key_t  key;
    ngx_uint_t                   used;
    u_char                       tag[ETAGCORE_CONTENT_TAG_LEN];
} ngx_http_content_etag_slot_t;


static ngx_int_t ngx_http_content_etag_key(ngx_fd_t fd,
    ngx_http_content_etag_key_t *key);
static ngx_int_t ngx_http_content_etag_same(ngx_http_content_etag_key_t *a,
    ngx_http_content_etag_key_t *b);
static ngx_int_t ngx_http_content_etag_hash(ngx_fd_t fd, off_t size,
    ngx_log_t *log, u_char *tag);


static ngx_http_content_etag_slot_t  ngx_http_content_etag_slots[NGX_HTTP_CONTENT_ETAG_SLOTS];
static u_char                        ngx_http_content_etag_buf[NGX_HTTP_CONTENT_ETAG_CHUNK];


ngx_int_t
ngx_http_content_etag_file_tag(ngx_fd_t fd, off_t max_size, ngx_log_t *log, u_char *tag)
{
    ngx_uint_t                     i;
    ngx_http_content_etag_key_t    key, after;
    ngx_http_content_etag_slot_t  *slot;

    if (ngx_http_content_etag_key(fd, &key) != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, log, ngx_errno, "content_etag: fstat() failed");
        return NGX_ERROR;
    }

    if (key.size > max_size) {
        return NGX_DECLINED;
    }

    i = (ngx_uint_t) ((key.ino * 31 + key.dev) % NGX_HTTP_CONTENT_ETAG_SLOTS);
    slot = &ngx_http_content_etag_slots[i];

    if (slot->used && ngx_http_content_etag_same(&slot->key, &key)) {
        ngx_memcpy(tag, slot->tag, ETAGCORE_CONTENT_TAG_LEN);
        return NGX_OK;
    }

    if (ngx_http_content_etag_hash(fd, key.size, log, tag) != NGX_OK) {
        return NGX_ERROR;
    }

    /* a file written while it was read: its tag names no stable content */
    if (ngx_http_content_etag_key(fd, &after) != NGX_OK
        || !ngx_http_content_etag_same(&key, &after))
    {
        ngx_log_error(NGX_LOG_INFO, log, 0, "content_etag: file changed while hashed");
        return NGX_DECLINED;
    }

    ngx_log_error(NGX_LOG_INFO, log, 0, "content_etag: hashed %O bytes", key.size);

    slot->key = key;
    slot->used = 1;
    ngx_memcpy(slot->tag, tag, ETAGCORE_CONTENT_TAG_LEN);

    return NGX_OK;
}


static ngx_int_t
ngx_http_content_etag_key(ngx_fd_t fd, ngx_http_content_etag_key_t *key)
{
    struct stat  st;

    if (fstat(fd, &st) == -1) {
        return NGX_ERROR;
    }

    ngx_memzero(key, sizeof(ngx_http_content_etag_key_t));
    key->dev = st.st_dev;
    key->ino = st.st_ino;
    key->size = st.st_size;
    key->mtime = st.st_mtim;
    key->ctime = st.st_ctim;

    return NGX_OK;
}


static ngx_int_t
ngx_http_content_etag_same(ngx_http_content_etag_key_t *a, ngx_http_content_etag_key_t *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size
           && a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec
           && a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}


static ngx_int_t
ngx_http_content_etag_hash(ngx_fd_t fd, off_t size, ngx_log_t *log, u_char *tag)
{
    off_t            offset;
    size_t           len, tag_len;
    ssize_t          n;
    etagcore_hasher  hasher;

    if (etagcore_hasher_init(&hasher) != ETAGCORE_RESULT_OK) {
        return NGX_ERROR;
    }

    for (offset = 0; offset < size; offset += n) {
        len = (size_t) ngx_min(size - offset, NGX_HTTP_CONTENT_ETAG_CHUNK);

        n = pread(fd, ngx_http_content_etag_buf, len, offset);

        if (n == -1) {
            ngx_log_error(NGX_LOG_ERR, log, ngx_errno, "content_etag: pread() failed");
            return NGX_ERROR;
        }

        if (n == 0) {
            /* shorter than fstat() said: the caller's recheck declines it */
            break;
        }

        if (etagcore_hasher_update(&hasher, ngx_http_content_etag_buf, (size_t) n)
            != ETAGCORE_RESULT_OK)
        {
            return NGX_ERROR;
        }
    }

    /* weak = 0: the strong tag of the file's bytes */
    if (etagcore_hasher_finish(&hasher, 0, tag, ETAGCORE_CONTENT_TAG_LEN,
                               &tag_len)
        != ETAGCORE_RESULT_OK)
    {
        return NGX_ERROR;
    }

    return NGX_OK;
}
