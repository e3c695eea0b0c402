/*
 * The content tag cache shared by all workers of a host: a shared memory
 * zone with a slab allocator, a red-black tree keyed by (device, inode) and
 * an LRU queue that gives room to new files when the zone is full.
 */

#ifndef _NGX_HTTP_CONTENT_ETAG_ZONE_H_INCLUDED_
#define _NGX_HTTP_CONTENT_ETAG_ZONE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


#define NGX_HTTP_CONTENT_ETAG_DIGEST_LEN  16


/* What identifies one version of a file: any write changes ctime. */
typedef struct {
    dev_t                dev;
    ino_t                ino;
    off_t                size;
    int64_t              mtime;          /* nanoseconds since the epoch */
    int64_t              ctime;
} ngx_http_content_etag_key_t;


/*
 * Looks the file up.  NGX_OK: a tag is known, digest is written.
 * NGX_DECLINED: the caller must hash the file; if *claimed is set, it owns
 * the entry and must end with _store() or _abandon(), and other requests for
 * the file wait for it (NGX_BUSY) instead of hashing it again.
 * NGX_BUSY: another request of this host is hashing this version of the file.
 *
 * since is when the asking request first looked: a tag hashed while the file
 * could still change within one timestamp tick ("racily clean", as git says)
 * serves only the requests that were already waiting for it.
 */
ngx_int_t ngx_http_content_etag_zone_lookup(ngx_shm_zone_t *zone,
    ngx_http_content_etag_key_t *key, ngx_msec_t since, u_char *digest,
    ngx_uint_t *claimed);
void ngx_http_content_etag_zone_store(ngx_shm_zone_t *zone,
    ngx_http_content_etag_key_t *key, u_char *digest, ngx_uint_t racy);
void ngx_http_content_etag_zone_abandon(ngx_shm_zone_t *zone,
    ngx_http_content_etag_key_t *key);
/* the zone NAME of size bytes, for the module tag; NULL on error (logged) */
ngx_shm_zone_t *ngx_http_content_etag_zone_add(ngx_conf_t *cf,
    ngx_str_t *name, size_t size, void *tag);


#endif /* _NGX_HTTP_CONTENT_ETAG_ZONE_H_INCLUDED_ */
