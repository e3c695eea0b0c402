/*
 * The buffering mode of ngx_http_content_etag_pre_module.
 *
 * A response that does not come from a static file has no file to hash
 * once per host: its body is hashed as it passes, with etagcore's streaming
 * hasher.  The header waits for the end of the body; the body is copied
 * into the request pool (so an upstream may reuse its buffers at once), at
 * most content_etag_buffer bytes of it.  A body that outgrows the buffer,
 * or whose producer flushes it before its end, is sent on unchanged,
 * without a tag from this module.  Everything held is in the request pool
 * and goes with it, whatever ends the request.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <etagcore.h>

#include "ngx_http_content_etag_module.h"
#include "ngx_http_content_etag_buffer.h"


/* the size of a held block when the body's length is unknown */
#define NGX_HTTP_CONTENT_ETAG_BLOCK  16384


struct ngx_http_content_etag_buffer_s {
    etagcore_hasher   hasher;     /* first: the block is aligned for it */
    ngx_chain_t      *held;
    ngx_chain_t      *tail;       /* its last link */
    off_t             size;
    off_t             limit;
    off_t             length;     /* announced by the producer, or -1 */
};


static ngx_int_t ngx_http_content_etag_passed(ngx_http_request_t *r);
static ngx_int_t ngx_http_content_etag_private(ngx_http_request_t *r);
static ngx_int_t ngx_http_content_etag_hold(ngx_http_request_t *r,
    ngx_http_content_etag_buffer_t *bf, ngx_buf_t *b, off_t size);
static ngx_int_t ngx_http_content_etag_block(ngx_http_request_t *r,
    ngx_http_content_etag_buffer_t *bf, off_t need);
static ngx_int_t ngx_http_content_etag_append(ngx_http_request_t *r,
    ngx_http_content_etag_buffer_t *bf, ngx_buf_t *b);
static ngx_int_t ngx_http_content_etag_short(ngx_http_request_t *r,
    ngx_http_content_etag_buffer_t *bf, ngx_chain_t **out);
static ngx_int_t ngx_http_content_etag_whole(ngx_http_request_t *r,
    ngx_http_content_etag_buffer_t *bf, ngx_chain_t **out, u_char **tag);
static ngx_int_t ngx_http_content_etag_last(ngx_http_request_t *r,
    ngx_http_content_etag_buffer_t *bf);


ngx_int_t
ngx_http_content_etag_buffer_start(ngx_http_request_t *r,
    ngx_http_content_etag_loc_conf_t *conf,
    ngx_http_content_etag_buffer_t **bp)
{
    ngx_table_elt_t                 *etag;
    ngx_http_content_etag_buffer_t  *bf;

    if (ngx_http_content_etag_passed(r) != NGX_OK) {
        return NGX_DECLINED;
    }

    etag = r->headers_out.etag;

    if (etag != NULL && etag->hash != 0
        && conf->upstream == NGX_HTTP_CONTENT_ETAG_KEEP)
    {
        /* the application's own validator: it knows best what changed */
        return NGX_DONE;
    }

    if (r->headers_out.content_length_n > (off_t) conf->buffer) {
        return NGX_DECLINED;
    }

    if (r->method == NGX_HTTP_HEAD) {
        /*
         * No body to hash, and hashing a GET's would cost a second
         * rendering: a HEAD goes without a tag, and without the one the
         * GET would have replaced.
         */
        ngx_http_clear_etag(r);
        return NGX_DECLINED;
    }

    bf = ngx_pmemalign(r->pool, sizeof(ngx_http_content_etag_buffer_t),
                       ETAGCORE_HASHER_ALIGN);
    if (bf == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(bf, sizeof(ngx_http_content_etag_buffer_t));

    if (etagcore_hasher_init(&bf->hasher) != ETAGCORE_RESULT_OK) {
        return NGX_ERROR;
    }

    bf->limit = conf->buffer;
    bf->length = r->headers_out.content_length_n;

    *bp = bf;

    return NGX_OK;
}


/* what is left to nginx: a stream, or a response that is someone's */
static ngx_int_t
ngx_http_content_etag_passed(ngx_http_request_t *r)
{
    ngx_str_t  *type;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_DECLINED;
    }

    /* X-Accel-Buffering: no, or proxy_buffering off: a stream */
    if (r->upstream != NULL && !r->upstream->buffering) {
        return NGX_DECLINED;
    }

    /* server-sent events never end */
    type = &r->headers_out.content_type;

    if (type->len >= sizeof("text/event-stream") - 1
        && ngx_strncasecmp(type->data, (u_char *) "text/event-stream",
                           sizeof("text/event-stream") - 1)
           == 0)
    {
        return NGX_DECLINED;
    }

    return ngx_http_content_etag_private(r);
}


/*
 * A response with Set-Cookie is someone's, and one with
 * "Cache-Control: no-store" is not to be kept: neither is tagged for
 * revalidation.
 */
static ngx_int_t
ngx_http_content_etag_private(ngx_http_request_t *r)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    part = &r->headers_out.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        if (h[i].hash == 0) {
            continue;
        }

        if (h[i].key.len == sizeof("Set-Cookie") - 1
            && ngx_strncasecmp(h[i].key.data, (u_char *) "Set-Cookie",
                               sizeof("Set-Cookie") - 1)
               == 0)
        {
            return NGX_DECLINED;
        }

        if (h[i].key.len == sizeof("Cache-Control") - 1
            && ngx_strncasecmp(h[i].key.data, (u_char *) "Cache-Control",
                               sizeof("Cache-Control") - 1)
               == 0
            && ngx_strlcasestrn(h[i].value.data,
                                h[i].value.data + h[i].value.len,
                                (u_char *) "no-store",
                                sizeof("no-store") - 1 - 1)
               != NULL)
        {
            return NGX_DECLINED;
        }
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_content_etag_buffer_body(ngx_http_request_t *r,
    ngx_http_content_etag_buffer_t *bf, ngx_chain_t *in, ngx_chain_t **out,
    u_char **tag)
{
    off_t         size;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    for (cl = in; cl; cl = cl->next) {
        b = cl->buf;
        size = ngx_buf_size(b);

        /*
         * a flush is a stream's, or a failing upstream's last word; an
         * O_DIRECT file is read by nginx's own aligned reads only
         */
        if ((b->flush && !b->last_buf)
            || size > bf->limit - bf->size
            || (!ngx_buf_in_memory(b) && size > 0 && b->file->directio))
        {
            ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                           "content_etag: not tagged after %O bytes, "
                           "at a buffer of %O", bf->size, size);

            if (bf->tail == NULL) {
                *out = cl;

            } else {
                bf->tail->next = cl;
                *out = bf->held;
            }

            return NGX_DECLINED;
        }

        if (size > 0
            && ngx_http_content_etag_hold(r, bf, b, size) != NGX_OK)
        {
            return NGX_ERROR;
        }

        if (b->last_buf) {
            if (bf->length >= 0 && bf->size != bf->length) {
                return ngx_http_content_etag_short(r, bf, out);
            }

            return ngx_http_content_etag_whole(r, bf, out, tag);
        }
    }

    return NGX_AGAIN;
}


/*
 * Copies b into the held blocks and hashes it; b is left consumed.  Blocks
 * are filled before another is made, so a body of many small buffers (an
 * upstream's tiny chunks) costs its bytes and a few links per block, not a
 * buffer per chunk.
 */
static ngx_int_t
ngx_http_content_etag_hold(ngx_http_request_t *r,
    ngx_http_content_etag_buffer_t *bf, ngx_buf_t *b, off_t size)
{
    off_t       offset;
    size_t      n;
    ssize_t     got;
    ngx_buf_t  *dst;

    offset = 0;

    while (offset < size) {

        if (bf->tail == NULL || bf->tail->buf->last == bf->tail->buf->end) {
            if (ngx_http_content_etag_block(r, bf, size - offset) != NGX_OK) {
                return NGX_ERROR;
            }
        }

        dst = bf->tail->buf;
        n = (size_t) ngx_min(size - offset, dst->end - dst->last);

        if (ngx_buf_in_memory(b)) {
            ngx_memcpy(dst->last, b->pos + offset, n);

        } else {
            /* a body an upstream wrote to a temporary file, or a cache hit */
            got = ngx_read_file(b->file, dst->last, n, b->file_pos + offset);

            if (got == NGX_ERROR) {
                return NGX_ERROR;
            }

            if (got != (ssize_t) n) {
                ngx_log_error(NGX_LOG_CRIT, r->connection->log, 0,
                              ngx_read_file_n " \"%V\" returned only "
                              "%z bytes instead of %uz", &b->file->name,
                              got, n);
                return NGX_ERROR;
            }
        }

        if (etagcore_hasher_update(&bf->hasher, dst->last, n)
            != ETAGCORE_RESULT_OK)
        {
            return NGX_ERROR;
        }

        dst->last += n;
        bf->size += n;
        offset += n;
    }

    b->pos = b->last;
    b->file_pos = b->file_last;

    return NGX_OK;
}


/*
 * A new block for at least `need` more bytes: the rest of a known length,
 * or NGX_HTTP_CONTENT_ETAG_BLOCK, never past content_etag_buffer.
 */
static ngx_int_t
ngx_http_content_etag_block(ngx_http_request_t *r,
    ngx_http_content_etag_buffer_t *bf, off_t need)
{
    off_t  size;

    size = bf->length > bf->size ? bf->length - bf->size
                                 : NGX_HTTP_CONTENT_ETAG_BLOCK;
    size = ngx_min(ngx_max(size, need), bf->limit - bf->size);

    return ngx_http_content_etag_append(r, bf,
                                        ngx_create_temp_buf(r->pool,
                                                            (size_t) size));
}


/* appends b (NULL: its allocation failed) to the held chain */
static ngx_int_t
ngx_http_content_etag_append(ngx_http_request_t *r,
    ngx_http_content_etag_buffer_t *bf, ngx_buf_t *b)
{
    ngx_chain_t  *cl;

    if (b == NULL) {
        return NGX_ERROR;
    }

    cl = ngx_alloc_chain_link(r->pool);
    if (cl == NULL) {
        return NGX_ERROR;
    }

    cl->buf = b;
    cl->next = NULL;

    if (bf->tail == NULL) {
        bf->held = cl;

    } else {
        bf->tail->next = cl;
    }

    bf->tail = cl;

    return NGX_OK;
}


/*
 * A body that ended before the length its producer announced: a FastCGI
 * application that closed its connection without ending its response
 * (nginx takes that as the end unless fastcgi_keep_conn is on).  It goes
 * on untagged, with the length announced, as stock nginx sends it.
 */
static ngx_int_t
ngx_http_content_etag_short(ngx_http_request_t *r,
    ngx_http_content_etag_buffer_t *bf, ngx_chain_t **out)
{
    ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                  "content_etag: the body ended after %O of the %O bytes "
                  "announced, not tagged", bf->size, bf->length);

    /* and the connection closes after it: the client sees it cut short at
       once, rather than waiting on a keep-alive for the bytes announced */
    r->keepalive = 0;

    if (ngx_http_content_etag_last(r, bf) != NGX_OK) {
        return NGX_ERROR;
    }

    *out = bf->held;

    return NGX_DECLINED;
}


/* marks the last held buffer last, adding an empty one to an empty body */
static ngx_int_t
ngx_http_content_etag_last(ngx_http_request_t *r,
    ngx_http_content_etag_buffer_t *bf)
{
    if (bf->held == NULL
        && ngx_http_content_etag_append(r, bf, ngx_calloc_buf(r->pool))
           != NGX_OK)
    {
        return NGX_ERROR;
    }

    bf->tail->buf->last_buf = 1;

    return NGX_OK;
}


/* the end of the body: its tag, and the body, last buffer marked */
static ngx_int_t
ngx_http_content_etag_whole(ngx_http_request_t *r,
    ngx_http_content_etag_buffer_t *bf, ngx_chain_t **out, u_char **tag)
{
    size_t  len;

    *tag = ngx_pnalloc(r->pool, ETAGCORE_CONTENT_TAG_LEN);
    if (*tag == NULL) {
        return NGX_ERROR;
    }

    if (etagcore_hasher_finish(&bf->hasher, 0, *tag,
                               ETAGCORE_CONTENT_TAG_LEN, &len)
        != ETAGCORE_RESULT_OK
        || len != ETAGCORE_CONTENT_TAG_LEN)
    {
        return NGX_ERROR;
    }

    if (ngx_http_content_etag_last(r, bf) != NGX_OK) {
        return NGX_ERROR;
    }

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "content_etag: tagged a body of %O bytes", bf->size);

    *out = bf->held;

    /* the body is whole and its length known: sent with Content-Length */
    r->headers_out.content_length_n = bf->size;

    if (r->headers_out.content_length != NULL) {
        r->headers_out.content_length->hash = 0;
        r->headers_out.content_length = NULL;
    }

    return NGX_OK;
}
