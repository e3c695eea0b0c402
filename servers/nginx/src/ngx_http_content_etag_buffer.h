/*
 * The buffering mode: the content tag of a response that is not a static
 * file (proxied, FastCGI, uwsgi, SCGI, gRPC, a proxy_cache hit, `return`),
 * hashed while its body is held, up to content_etag_buffer bytes.
 */

#ifndef _NGX_HTTP_CONTENT_ETAG_BUFFER_H_INCLUDED_
#define _NGX_HTTP_CONTENT_ETAG_BUFFER_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_content_etag_module.h"


typedef struct ngx_http_content_etag_buffer_s  ngx_http_content_etag_buffer_t;


/*
 * Whether the 200 response r may be held and tagged (its header is not
 * sent yet):
 *  NGX_OK        hold it: *bp holds the body as it comes;
 *  NGX_DONE      it keeps its own ETag (content_etag_upstream keep), which
 *                the deciding filter evaluates: nothing to hold;
 *  NGX_DECLINED  pass it on as it is (a stream, no-store, Set-Cookie,
 *                longer than the buffer, HEAD...);
 *  NGX_ERROR.
 */
ngx_int_t ngx_http_content_etag_buffer_start(ngx_http_request_t *r,
    ngx_http_content_etag_loc_conf_t *conf,
    ngx_http_content_etag_buffer_t **bp);

/*
 * Holds and hashes the buffers of in, consuming them (the producer may
 * reuse them at once):
 *  NGX_AGAIN     all of in is held;
 *  NGX_OK        the body is whole: *out is all of it, *tag its strong
 *                content tag (ETAGCORE_CONTENT_TAG_LEN bytes);
 *  NGX_DECLINED  it is not to be tagged (it outgrew the buffer, or its
 *                producer flushed it, as a stream or a failing upstream
 *                does): *out is what was held followed by the rest of in;
 *  NGX_ERROR.
 */
ngx_int_t ngx_http_content_etag_buffer_body(ngx_http_request_t *r,
    ngx_http_content_etag_buffer_t *bf, ngx_chain_t *in, ngx_chain_t **out,
    u_char **tag);


#endif /* _NGX_HTTP_CONTENT_ETAG_BUFFER_H_INCLUDED_ */
