/*
 * ngx_http_content_etag_pre_module: the content tag of the file served.
 *
 * Its header filter, before nginx's not-modified filter, holds the header
 * of a 200 for a static file; its body filter then sees the buffer the
 * static (or gzip_static) handler sends: the descriptor of the very file
 * whose bytes go out.  One fstat() gives that file's key (device, inode,
 * size, mtime and ctime in nanoseconds): the shared zone knows its tag, or
 * the file is hashed once for the whole host, in a thread pool (a cold
 * hash delays only the requests for that file) or in the event loop.
 * The header then goes on, with the tag, to the deciding filter.
 *
 * A request whose file another request is hashing waits for that hash,
 * polling the zone: requests of one host hash a file version once.
 *
 * Where content_etag_buffer is set, the header of any other 200 is held
 * the same way while its body is held and hashed
 * (ngx_http_content_etag_buffer.c).
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <etagcore.h>

#include "ngx_http_content_etag_module.h"
#include "ngx_http_content_etag_zone.h"
#include "ngx_http_content_etag_hash.h"
#include "ngx_http_content_etag_buffer.h"


/*
 * r->buffered while the header and the body are held (0x08, as the image
 * filter's flag: a response does not go through both holding filters)
 */
#define NGX_HTTP_CONTENT_ETAG_BUFFERED  0x08

/* how often a request waiting for another's hash looks at the zone */
#define NGX_HTTP_CONTENT_ETAG_POLL      10

/* how often a request waiting for its thread keeps send_timeout away */
#define NGX_HTTP_CONTENT_ETAG_TICK      1000


typedef enum {
    NGX_HTTP_CONTENT_ETAG_UNDECIDED = 0,
    NGX_HTTP_CONTENT_ETAG_TAG,          /* the content tag: digest */
    NGX_HTTP_CONTENT_ETAG_WEAK,         /* nginx's own tag, weakened */
    NGX_HTTP_CONTENT_ETAG_BODY,         /* the tag of the held body: tag */
    NGX_HTTP_CONTENT_ETAG_OWN,          /* the response's own tag, decided */
    NGX_HTTP_CONTENT_ETAG_PASS          /* nginx's way, untouched */
} ngx_http_content_etag_outcome_e;


typedef struct {
    ngx_http_request_t              *request;
    ngx_chain_t                     *in;         /* the held body */
    ngx_http_content_etag_buffer_t  *buffer;     /* not a static file */
    u_char                          *tag;        /* the held body's */
    ngx_http_content_etag_job_t      job;
    ngx_msec_t                       since;
    ngx_event_t                      wait;       /* poll, or tick */
    ngx_http_content_etag_outcome_e  outcome;
    unsigned                         keyed:1;
    unsigned                         claimed:1;
    unsigned                         hashing:1;  /* a thread task runs */
    unsigned                         released:1;
} ngx_http_content_etag_pre_ctx_t;


static ngx_int_t ngx_http_content_etag_pre_header_filter(
    ngx_http_request_t *r);
static ngx_int_t ngx_http_content_etag_pre_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
static ngx_int_t ngx_http_content_etag_resolve(ngx_http_request_t *r,
    ngx_http_content_etag_pre_ctx_t *ctx);
static ngx_int_t ngx_http_content_etag_keyed(ngx_http_request_t *r,
    ngx_http_content_etag_pre_ctx_t *ctx);
static ngx_int_t ngx_http_content_etag_hash_now(ngx_http_request_t *r,
    ngx_http_content_etag_pre_ctx_t *ctx);
static void ngx_http_content_etag_hashed(ngx_http_request_t *r,
    ngx_http_content_etag_pre_ctx_t *ctx);
static ngx_int_t ngx_http_content_etag_not_a_file(ngx_http_request_t *r,
    ngx_http_content_etag_pre_ctx_t *ctx);
static ngx_int_t ngx_http_content_etag_buffered(ngx_http_request_t *r,
    ngx_http_content_etag_pre_ctx_t *ctx, ngx_chain_t *in);
static ngx_int_t ngx_http_content_etag_release(ngx_http_request_t *r,
    ngx_http_content_etag_pre_ctx_t *ctx);
static ngx_int_t ngx_http_content_etag_decide_later(ngx_http_request_t *r);
static ngx_int_t ngx_http_content_etag_set_value(ngx_http_request_t *r,
    u_char *value);
static ngx_int_t ngx_http_content_etag_set(ngx_http_request_t *r,
    u_char *digest);
static void ngx_http_content_etag_wait(ngx_http_request_t *r,
    ngx_http_content_etag_pre_ctx_t *ctx, ngx_msec_t timer);
static void ngx_http_content_etag_wait_handler(ngx_event_t *ev);
static void ngx_http_content_etag_resume(ngx_http_request_t *r);
static void ngx_http_content_etag_cleanup(void *data);
static ngx_int_t ngx_http_content_etag_pre_init(ngx_conf_t *cf);
#if (NGX_THREADS)
static ngx_int_t ngx_http_content_etag_post(ngx_http_request_t *r,
    ngx_http_content_etag_pre_ctx_t *ctx,
    ngx_http_content_etag_loc_conf_t *conf);
static void ngx_http_content_etag_thread_handler(ngx_event_t *ev);
#endif


static ngx_http_module_t  ngx_http_content_etag_pre_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_http_content_etag_pre_init,        /* postconfiguration */

    NULL,                                  /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    NULL,                                  /* create location configuration */
    NULL                                   /* merge location configuration */
};


ngx_module_t  ngx_http_content_etag_pre_module = {
    NGX_MODULE_V1,
    &ngx_http_content_etag_pre_module_ctx, /* module context */
    NULL,                                  /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_http_output_header_filter_pt  ngx_http_next_header_filter;
static ngx_http_output_body_filter_pt    ngx_http_next_body_filter;


static ngx_int_t
ngx_http_content_etag_pre_header_filter(ngx_http_request_t *r)
{
    ngx_int_t                          rc;
    ngx_pool_cleanup_t                *cln;
    ngx_http_content_etag_buffer_t    *buffer;
    ngx_http_content_etag_pre_ctx_t   *ctx;
    ngx_http_content_etag_loc_conf_t  *conf;

    conf = ngx_http_get_module_loc_conf(r, ngx_http_content_etag_module);

    /*
     * not held: a response whose handler sends no body (nothing would
     * release it), and slice's (its other parts bypass this filter)
     */
    if (!conf->enable
        || r != r->main
        || r->http_version < NGX_HTTP_VERSION_10
        || r->headers_out.status != NGX_HTTP_OK
        || r->header_only
        || r->subrequest_ranges)
    {
        return ngx_http_next_header_filter(r);
    }

    buffer = NULL;

    /*
     * The header of a file's 200 (the static and gzip_static handlers',
     * also after an upstream's X-Accel-Redirect) is held until its body
     * shows whether it is a whole file; any other is the buffering mode's.
     */
    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))
        || r->headers_out.last_modified_time == -1
        || r->headers_out.content_length_n < 0)
    {
        if (conf->buffer == 0) {
            return ngx_http_next_header_filter(r);
        }

        rc = ngx_http_content_etag_buffer_start(r, conf, &buffer);

        switch (rc) {

        case NGX_OK:
            break;

        case NGX_DONE:
            if (ngx_http_content_etag_decide_later(r) != NGX_OK) {
                return NGX_ERROR;
            }

            return ngx_http_next_header_filter(r);

        case NGX_DECLINED:
            return ngx_http_next_header_filter(r);

        default:
            return NGX_ERROR;
        }
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_content_etag_pre_ctx_t));
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    cln->handler = ngx_http_content_etag_cleanup;
    cln->data = ctx;

    ctx->request = r;
    ctx->buffer = buffer;
    ctx->job.fd = NGX_INVALID_FILE;
    ngx_http_set_ctx(r, ctx, ngx_http_content_etag_pre_module);

    /* held until the body filter sees the file, or the whole body */
    return NGX_OK;
}


static ngx_int_t
ngx_http_content_etag_pre_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    ngx_int_t                         rc;
    ngx_chain_t                      *cl;
    ngx_http_content_etag_pre_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_content_etag_pre_module);

    if (ctx == NULL) {
        return ngx_http_next_body_filter(r, in);
    }

    if (ctx->released) {
        if (r->header_only) {
            /*
             * a 304 was sent, or a HEAD answered: the rest of a body goes
             * nowhere, but the call goes on (it flushes the header)
             */
            for (cl = in; cl; cl = cl->next) {
                cl->buf->pos = cl->buf->last;
                cl->buf->file_pos = cl->buf->file_last;
            }

            in = NULL;
        }

        return ngx_http_next_body_filter(r, in);
    }

    if (ctx->buffer != NULL) {
        return ngx_http_content_etag_buffered(r, ctx, in);
    }

    if (in != NULL && ngx_chain_add_copy(r->pool, &ctx->in, in) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ctx->in == NULL) {
        return NGX_OK;
    }

    if (ctx->hashing || ctx->wait.timer_set) {
        return NGX_AGAIN;
    }

    rc = ngx_http_content_etag_resolve(r, ctx);

    if (rc == NGX_AGAIN) {
        r->buffered |= NGX_HTTP_CONTENT_ETAG_BUFFERED;
        return NGX_AGAIN;
    }

    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (ctx->outcome == NGX_HTTP_CONTENT_ETAG_PASS) {
        return ngx_http_content_etag_not_a_file(r, ctx);
    }

    return ngx_http_content_etag_release(r, ctx);
}


/* decides ctx->outcome (NGX_OK), or waits for a hash (NGX_AGAIN) */
static ngx_int_t
ngx_http_content_etag_resolve(ngx_http_request_t *r,
    ngx_http_content_etag_pre_ctx_t *ctx)
{
    ngx_int_t                           rc;
    ngx_uint_t                          claimed;
    ngx_http_content_etag_loc_conf_t   *conf;
    ngx_http_content_etag_main_conf_t  *mcf;

    if (!ctx->keyed) {
        rc = ngx_http_content_etag_keyed(r, ctx);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    if (ctx->outcome != NGX_HTTP_CONTENT_ETAG_UNDECIDED) {
        return NGX_OK;
    }

    conf = ngx_http_get_module_loc_conf(r, ngx_http_content_etag_module);
    mcf = ngx_http_get_module_main_conf(r, ngx_http_content_etag_module);

    if (ctx->job.key.size > conf->max_size) {
        ctx->outcome = NGX_HTTP_CONTENT_ETAG_WEAK;
        return NGX_OK;
    }

    rc = ngx_http_content_etag_zone_lookup(mcf->zone, &ctx->job.key,
                                           ctx->since, ctx->job.digest,
                                           &claimed);

    if (rc == NGX_OK) {
        ctx->outcome = NGX_HTTP_CONTENT_ETAG_TAG;
        return NGX_OK;
    }

    if (rc == NGX_BUSY) {
        ngx_http_content_etag_wait(r, ctx, NGX_HTTP_CONTENT_ETAG_POLL);
        return NGX_AGAIN;
    }

    ctx->claimed = claimed;

    ctx->job.buf = ngx_pmemalign(r->pool, NGX_HTTP_CONTENT_ETAG_CHUNK,
                                 NGX_HTTP_CONTENT_ETAG_ALIGN);
    if (ctx->job.buf == NULL) {
        if (claimed) {
            ngx_http_content_etag_zone_abandon(mcf->zone, &ctx->job.key);
        }
        return NGX_ERROR;
    }

#if (NGX_THREADS)
    if (conf->thread_pool != NULL) {
        rc = ngx_http_content_etag_post(r, ctx, conf);
        if (rc != NGX_DECLINED) {
            return rc;
        }
    }
#endif

    return ngx_http_content_etag_hash_now(r, ctx);
}


/*
 * The file of the body: the static handler sends it whole, in one buffer,
 * last; anything else (an upstream's memory or temporary file, a cache
 * file, mp4 or flv parts) is not a whole file.
 */
static ngx_int_t
ngx_http_content_etag_keyed(ngx_http_request_t *r,
    ngx_http_content_etag_pre_ctx_t *ctx)
{
    ngx_buf_t  *b;

    ctx->keyed = 1;
    b = ctx->in->buf;

    if (ctx->in->next != NULL
        || b->file == NULL
        || b->file->fd == NGX_INVALID_FILE
        || ngx_buf_in_memory(b)
        || b->temp_file
        || !b->last_buf
        || b->file_pos != 0
        || b->file_last != r->headers_out.content_length_n)
    {
        ctx->outcome = NGX_HTTP_CONTENT_ETAG_PASS;
        return NGX_OK;
    }

    if (ngx_http_content_etag_key(b->file->fd, &ctx->job.key) != NGX_OK) {
        ngx_log_error(NGX_LOG_CRIT, r->connection->log, ngx_errno,
                      ngx_fd_info_n " \"%V\" failed", &b->file->name);
        return NGX_ERROR;
    }

    /* an open_file_cache entry older than the file: nginx's length is off */
    if (ctx->job.key.size != r->headers_out.content_length_n) {
        ctx->outcome = NGX_HTTP_CONTENT_ETAG_WEAK;
        return NGX_OK;
    }

    ctx->job.fd = b->file->fd;
    ctx->since = ngx_current_msec;

    return NGX_OK;
}


/* hashes in the event loop: no thread pool, or it refused the task */
static ngx_int_t
ngx_http_content_etag_hash_now(ngx_http_request_t *r,
    ngx_http_content_etag_pre_ctx_t *ctx)
{
    ngx_http_content_etag_hash(&ctx->job, r->connection->log);
    ngx_http_content_etag_hashed(r, ctx);

    return NGX_OK;
}


/* the end of a hash: the zone learns the tag, the request its outcome */
static void
ngx_http_content_etag_hashed(ngx_http_request_t *r,
    ngx_http_content_etag_pre_ctx_t *ctx)
{
    ngx_buf_t                          *b;
    ngx_http_content_etag_main_conf_t  *mcf;

    mcf = ngx_http_get_module_main_conf(r, ngx_http_content_etag_module);
    b = ctx->in->buf;

    switch (ctx->job.rc) {

    case NGX_OK:
        if (ctx->claimed) {
            ngx_http_content_etag_zone_store(mcf->zone, &ctx->job.key,
                                             ctx->job.digest, ctx->job.racy);
        }

        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "content_etag: hashed \"%V\", %O bytes%s",
                      &b->file->name, ctx->job.key.size,
                      ctx->job.racy ? ", changed too recently to cache" : "");

        ctx->outcome = NGX_HTTP_CONTENT_ETAG_TAG;
        break;

    case NGX_DECLINED:
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "content_etag: \"%V\" changed while hashed, "
                      "sending a weak tag", &b->file->name);
        goto weak;

    default:
        ngx_log_error(NGX_LOG_WARN, r->connection->log, ctx->job.err,
                      "content_etag: reading \"%V\" failed, "
                      "sending a weak tag", &b->file->name);
        goto weak;
    }

    return;

weak:

    if (ctx->claimed) {
        ngx_http_content_etag_zone_abandon(mcf->zone, &ctx->job.key);
    }

    ctx->outcome = NGX_HTTP_CONTENT_ETAG_WEAK;
}


/*
 * A held response whose body is not a whole file (a proxied response with
 * Last-Modified and Content-Length, a cache hit, mp4 parts...): the
 * buffering mode's, where it is on.
 */
static ngx_int_t
ngx_http_content_etag_not_a_file(ngx_http_request_t *r,
    ngx_http_content_etag_pre_ctx_t *ctx)
{
    ngx_chain_t                       *in;
    ngx_http_content_etag_loc_conf_t  *conf;

    conf = ngx_http_get_module_loc_conf(r, ngx_http_content_etag_module);

    if (conf->buffer == 0) {
        return ngx_http_content_etag_release(r, ctx);
    }

    switch (ngx_http_content_etag_buffer_start(r, conf, &ctx->buffer)) {

    case NGX_OK:
        in = ctx->in;
        ctx->in = NULL;
        return ngx_http_content_etag_buffered(r, ctx, in);

    case NGX_DONE:
        ctx->outcome = NGX_HTTP_CONTENT_ETAG_OWN;
        return ngx_http_content_etag_release(r, ctx);

    case NGX_DECLINED:
        return ngx_http_content_etag_release(r, ctx);

    default:
        return NGX_ERROR;
    }
}


/* the buffering mode: holds the body until it is whole, or passes it */
static ngx_int_t
ngx_http_content_etag_buffered(ngx_http_request_t *r,
    ngx_http_content_etag_pre_ctx_t *ctx, ngx_chain_t *in)
{
    ngx_int_t  rc;

    rc = ngx_http_content_etag_buffer_body(r, ctx->buffer, in, &ctx->in,
                                           &ctx->tag);

    switch (rc) {

    case NGX_AGAIN:
        return NGX_OK;

    case NGX_OK:
        ctx->outcome = NGX_HTTP_CONTENT_ETAG_BODY;
        break;

    case NGX_DECLINED:
        ctx->outcome = NGX_HTTP_CONTENT_ETAG_PASS;
        break;

    default:
        return NGX_ERROR;
    }

    return ngx_http_content_etag_release(r, ctx);
}


/* sends the held header on, with the tag, then the held body */
static ngx_int_t
ngx_http_content_etag_release(ngx_http_request_t *r,
    ngx_http_content_etag_pre_ctx_t *ctx)
{
    ngx_int_t     rc;
    ngx_chain_t  *in;

    ctx->released = 1;
    r->buffered &= ~NGX_HTTP_CONTENT_ETAG_BUFFERED;

    if (ctx->outcome != NGX_HTTP_CONTENT_ETAG_PASS) {

        if (ctx->outcome == NGX_HTTP_CONTENT_ETAG_TAG) {
            if (ngx_http_content_etag_set(r, ctx->job.digest) != NGX_OK) {
                return NGX_ERROR;
            }

        } else if (ctx->outcome == NGX_HTTP_CONTENT_ETAG_BODY) {
            if (ngx_http_content_etag_set_value(r, ctx->tag) != NGX_OK) {
                return NGX_ERROR;
            }

        } else if (ctx->outcome == NGX_HTTP_CONTENT_ETAG_WEAK) {
            /*
             * nginx's "mtime-size" names this server's metadata, not the
             * bytes: weak, it never satisfies If-Match or If-Range.
             */
            ngx_http_weak_etag(r);
        }

        if (ngx_http_content_etag_decide_later(r) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    rc = ngx_http_next_header_filter(r);

    in = ctx->in;
    ctx->in = NULL;

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        /* a 304, a 412 or a HEAD: the body is not sent */
        return rc;
    }

    return ngx_http_next_body_filter(r, in);
}


/* the deciding filter evaluates the conditions, in RFC order */
static ngx_int_t
ngx_http_content_etag_decide_later(ngx_http_request_t *r)
{
    ngx_http_content_etag_ctx_t  *tctx;

    tctx = ngx_pcalloc(r->pool, sizeof(ngx_http_content_etag_ctx_t));
    if (tctx == NULL) {
        return NGX_ERROR;
    }

    tctx->length = r->headers_out.content_length_n;
    ngx_http_set_ctx(r, tctx, ngx_http_content_etag_module);

    r->disable_not_modified = 1;

    return NGX_OK;
}


static ngx_int_t
ngx_http_content_etag_set(ngx_http_request_t *r, u_char *digest)
{
    u_char  *value;

    value = ngx_pnalloc(r->pool, ETAGCORE_CONTENT_TAG_LEN);
    if (value == NULL) {
        return NGX_ERROR;
    }

    if (ngx_http_content_etag_format(digest, value) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_content_etag_set_value(r, value);
}


/* value: a strong tag, ETAGCORE_CONTENT_TAG_LEN bytes */
static ngx_int_t
ngx_http_content_etag_set_value(ngx_http_request_t *r, u_char *value)
{
    ngx_table_elt_t  *etag;

    etag = r->headers_out.etag;

    if (etag == NULL) {
        etag = ngx_list_push(&r->headers_out.headers);
        if (etag == NULL) {
            return NGX_ERROR;
        }

        ngx_str_set(&etag->key, "ETag");
        r->headers_out.etag = etag;
    }

    etag->hash = 1;
#if (nginx_version >= 1023000)
    etag->next = NULL;
#endif
    etag->value.data = value;
    etag->value.len = ETAGCORE_CONTENT_TAG_LEN;

    return NGX_OK;
}


#if (NGX_THREADS)

/* NGX_AGAIN: posted; NGX_DECLINED: the pool refused it, hash here */
static ngx_int_t
ngx_http_content_etag_post(ngx_http_request_t *r,
    ngx_http_content_etag_pre_ctx_t *ctx,
    ngx_http_content_etag_loc_conf_t *conf)
{
    ngx_thread_task_t  *task;

    task = ngx_thread_task_alloc(r->pool, 0);
    if (task == NULL) {
        return NGX_ERROR;
    }

    task->ctx = &ctx->job;
    task->handler = ngx_http_content_etag_hash;
    task->event.data = ctx;
    task->event.handler = ngx_http_content_etag_thread_handler;

    if (ngx_thread_task_post(conf->thread_pool, task) != NGX_OK) {
        /* the queue is full (logged by nginx) */
        return NGX_DECLINED;
    }

    /* the request, its pool and the descriptor live until the task ends */
    r->main->blocked++;
    r->aio = 1;
    ctx->hashing = 1;

    ngx_http_content_etag_wait(r, ctx, NGX_HTTP_CONTENT_ETAG_TICK);

    return NGX_AGAIN;
}


static void
ngx_http_content_etag_thread_handler(ngx_event_t *ev)
{
    ngx_http_request_t               *r;
    ngx_http_content_etag_pre_ctx_t  *ctx;

    /* the context, not r->ctx: a claim must end whatever befell the request */
    ctx = ev->data;
    r = ctx->request;

    r->main->blocked--;
    r->aio = 0;
    ctx->hashing = 0;

    if (ctx->wait.timer_set) {
        ngx_del_timer(&ctx->wait);
    }

    ngx_http_content_etag_hashed(r, ctx);
    ngx_http_content_etag_resume(r);
}

#endif


static void
ngx_http_content_etag_wait(ngx_http_request_t *r,
    ngx_http_content_etag_pre_ctx_t *ctx, ngx_msec_t timer)
{
    ctx->wait.handler = ngx_http_content_etag_wait_handler;
    ctx->wait.data = r;
    ctx->wait.log = r->connection->log;

    ngx_add_timer(&ctx->wait, timer);
}


static void
ngx_http_content_etag_wait_handler(ngx_event_t *ev)
{
    ngx_connection_t                 *c;
    ngx_http_request_t               *r;
    ngx_http_content_etag_pre_ctx_t  *ctx;

    r = ev->data;
    c = r->connection;
    ctx = ngx_http_get_module_ctx(r, ngx_http_content_etag_pre_module);

    if (ctx != NULL && ctx->hashing) {
        /*
         * a long hash must not look like a client that stopped reading:
         * send_timeout starts again once the header is sent
         */
        if (c->write->timer_set) {
            ngx_del_timer(c->write);
        }

        ngx_add_timer(ev, NGX_HTTP_CONTENT_ETAG_TICK);
        return;
    }

    /* another request's hash may be done: look at the zone again */
    ngx_http_content_etag_resume(r);
}


/* runs the request on, as nginx's own thread handlers do */
static void
ngx_http_content_etag_resume(ngx_http_request_t *r)
{
    ngx_connection_t  *c;

    c = r->connection;

    ngx_http_set_log_request(c->log, r);

#if (NGX_HTTP_V2)
    if (r->stream) {
        c->write->ready = 1;
        c->write->active = 0;
    }
#endif

    if (r->done) {
        c->write->handler(c->write);

    } else {
        r->write_event_handler(r);
        ngx_http_run_posted_requests(c);
    }
}


static void
ngx_http_content_etag_cleanup(void *data)
{
    ngx_http_content_etag_pre_ctx_t *ctx = data;

    if (ctx->wait.timer_set) {
        ngx_del_timer(&ctx->wait);
    }
}


static ngx_int_t
ngx_http_content_etag_pre_init(ngx_conf_t *cf)
{
    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_content_etag_pre_header_filter;

    ngx_http_next_body_filter = ngx_http_top_body_filter;
    ngx_http_top_body_filter = ngx_http_content_etag_pre_body_filter;

    return NGX_OK;
}
