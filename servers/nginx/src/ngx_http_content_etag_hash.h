/*
 * Hashing one open file into its content digest, in the event loop or in a
 * thread of a thread pool.
 */

#ifndef _NGX_HTTP_CONTENT_ETAG_HASH_H_INCLUDED_
#define _NGX_HTTP_CONTENT_ETAG_HASH_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_content_etag_zone.h"


/* reads are aligned for O_DIRECT descriptors (directio) */
#define NGX_HTTP_CONTENT_ETAG_ALIGN  4096
#define NGX_HTTP_CONTENT_ETAG_CHUNK  65536


typedef struct {
    ngx_fd_t                     fd;
    ngx_http_content_etag_key_t  key;
    u_char                      *buf;    /* CHUNK bytes, ALIGN-aligned */

    /* results */
    ngx_int_t                    rc;     /* NGX_OK, NGX_DECLINED, NGX_ERROR */
    ngx_err_t                    err;
    ngx_uint_t                   racy;
    u_char                       digest[NGX_HTTP_CONTENT_ETAG_DIGEST_LEN];
} ngx_http_content_etag_job_t;


/* the key of the open file fd; NGX_ERROR with ngx_errno set */
ngx_int_t ngx_http_content_etag_key(ngx_fd_t fd,
    ngx_http_content_etag_key_t *key);

/*
 * Hashes job->fd, which must still have job->key when read to the end:
 * rc NGX_OK (digest, racy set), NGX_DECLINED (the file changed while it was
 * read) or NGX_ERROR (err set).  Touches nothing but the job: a thread
 * pool runs it as a task handler.
 */
void ngx_http_content_etag_hash(void *data, ngx_log_t *log);

/* writes the strong tag ETAGCORE_CONTENT_TAG_LEN bytes long */
ngx_int_t ngx_http_content_etag_format(u_char *digest, u_char *tag);


#endif /* _NGX_HTTP_CONTENT_ETAG_HASH_H_INCLUDED_ */
