/*
 * ngx_http_content_etag_module: content ETags and RFC 9110 conditional
 * requests for static files (and, with content_etag_buffer, for proxied and
 * dynamic responses), so that every server of a farm gives the same bytes
 * the same ETag and answers every revalidation, whichever server gets it.
 *
 * Two filters (see ../config for their places in the chain):
 *  - ngx_http_content_etag_pre_module (ngx_http_content_etag_tag.c), before
 *    nginx's not-modified filter: it holds a static file's header until the
 *    body names the descriptor served, finds that file's content tag (the
 *    shared zone, or a hash in a thread pool) and sets it as the ETag;
 *  - this module, after the gzip filter and before the range filter: it
 *    evaluates If-Match, If-None-Match, If-Modified-Since,
 *    If-Unmodified-Since and If-Range with etagcore and answers 304 or 412
 *    itself, or lets the range filter serve the range.
 * This file also holds the directives.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <etagcore.h>

#include "ngx_http_content_etag_module.h"
#include "ngx_http_content_etag_zone.h"


#define NGX_HTTP_CONTENT_ETAG_ZONE_SIZE      (1024 * 1024)
#define NGX_HTTP_CONTENT_ETAG_SYNC_MAX_SIZE  (16 * 1024 * 1024)


static ngx_int_t ngx_http_content_etag_header_filter(ngx_http_request_t *r);
static void ngx_http_content_etag_field(ngx_table_elt_t *h,
    etagcore_bytes *line, etagcore_field *field);
static void ngx_http_content_etag_not_modified(ngx_http_request_t *r);
static char *ngx_http_content_etag_zone(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_content_etag_thread_pool(ngx_conf_t *cf,
    ngx_command_t *cmd, void *conf);
static void *ngx_http_content_etag_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_content_etag_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_content_etag_merge_loc_conf(ngx_conf_t *cf,
    void *parent, void *child);
static ngx_int_t ngx_http_content_etag_init(ngx_conf_t *cf);


static ngx_conf_enum_t  ngx_http_content_etag_upstream[] = {
    { ngx_string("keep"), NGX_HTTP_CONTENT_ETAG_KEEP },
    { ngx_string("replace"), NGX_HTTP_CONTENT_ETAG_REPLACE },
    { ngx_null_string, 0 }
};


static ngx_command_t  ngx_http_content_etag_commands[] = {

    { ngx_string("content_etag"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_content_etag_loc_conf_t, enable),
      NULL },

    { ngx_string("content_etag_max_size"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_off_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_content_etag_loc_conf_t, max_size),
      NULL },

    { ngx_string("content_etag_buffer"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_content_etag_loc_conf_t, buffer),
      NULL },

    { ngx_string("content_etag_upstream"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_content_etag_loc_conf_t, upstream),
      &ngx_http_content_etag_upstream },

    { ngx_string("content_etag_thread_pool"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_content_etag_thread_pool,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("content_etag_zone"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_http_content_etag_zone,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_content_etag_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_http_content_etag_init,            /* postconfiguration */

    ngx_http_content_etag_create_main_conf, /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_content_etag_create_loc_conf, /* create location configuration */
    ngx_http_content_etag_merge_loc_conf   /* merge location configuration */
};


ngx_module_t  ngx_http_content_etag_module = {
    NGX_MODULE_V1,
    &ngx_http_content_etag_module_ctx,     /* module context */
    ngx_http_content_etag_commands,        /* module directives */
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


static ngx_int_t
ngx_http_content_etag_header_filter(ngx_http_request_t *r)
{
    ngx_int_t                     rc;
    ngx_table_elt_t              *etag, *ims;
    etagcore_bytes                lines[5];
    etagcore_request              req;
    etagcore_representation       current;
    etagcore_decision             decision;
    ngx_http_core_loc_conf_t     *clcf;
    ngx_http_content_etag_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_content_etag_module);

    if (ctx == NULL || r != r->main || r->headers_out.status != NGX_HTTP_OK) {
        return ngx_http_next_header_filter(r);
    }

    /*
     * A filter that changes the body (gzip, charset recoding, sub, ssi...)
     * clears the length: the bytes sent are no longer the file's, so the tag
     * may only be weak.  gzip weakens it itself; this covers every other
     * transformation the same way.
     */
    if (r->headers_out.content_length_n != ctx->length) {
        ngx_http_weak_etag(r);
    }

    /* `if_modified_since off;` keeps its meaning: the field is not evaluated */
    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);
    ims = clcf->if_modified_since == NGX_HTTP_IMS_OFF
          ? NULL : r->headers_in.if_modified_since;

    /*
     * nginx 1.22 answers 400 to a second If-* field line before any filter
     * runs, so each field has at most one line here.
     */
    ngx_memzero(&req, sizeof(etagcore_request));
    req.method.ptr = r->method_name.data;
    req.method.len = r->method_name.len;
    ngx_http_content_etag_field(r->headers_in.if_match, &lines[0],
                                &req.if_match);
    ngx_http_content_etag_field(r->headers_in.if_none_match, &lines[1],
                                &req.if_none_match);
    ngx_http_content_etag_field(ims, &lines[2], &req.if_modified_since);
    ngx_http_content_etag_field(r->headers_in.if_unmodified_since,
                                &lines[3], &req.if_unmodified_since);
    ngx_http_content_etag_field(r->headers_in.if_range, &lines[4],
                                &req.if_range);
    req.has_range = r->headers_in.range != NULL;

    /* the ETag as it now stands: W/"..." if gzip compresses on the fly */
    ngx_memzero(&current, sizeof(etagcore_representation));
    etag = r->headers_out.etag;
    if (etag != NULL && etag->hash != 0) {
        current.etag.ptr = etag->value.data;
        current.etag.len = etag->value.len;
    }
    current.has_last_modified = r->headers_out.last_modified_time != -1;
    current.last_modified = r->headers_out.last_modified_time;

    rc = etagcore_request_evaluate(&req, &current, ngx_time(), &decision);

    if (rc != ETAGCORE_RESULT_OK) {
        /*
         * Cannot happen with nginx's one line per field; if it does, the
         * full 200 with its tag is always a correct answer.
         */
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "content_etag: evaluation failed (%s), "
                      "sending the full response",
                      etagcore_result_str(rc));
        r->headers_in.range = NULL;
        return ngx_http_next_header_filter(r);
    }

    switch (decision) {

    case ETAGCORE_DECISION_NOT_MODIFIED:
        ngx_http_content_etag_not_modified(r);
        return ngx_http_next_header_filter(r);

    case ETAGCORE_DECISION_PRECONDITION_FAILED:
        return ngx_http_filter_finalize_request(r,
                                                &ngx_http_content_etag_module,
                                                NGX_HTTP_PRECONDITION_FAILED);

    case ETAGCORE_DECISION_SERVE_RANGE:
        /* If-Range is decided: the range filter must not compare it again */
        r->headers_in.if_range = NULL;
        return ngx_http_next_header_filter(r);

    default:
        /* a false If-Range, or HEAD: RFC 9110 sends the full representation */
        r->headers_in.range = NULL;
        return ngx_http_next_header_filter(r);
    }
}


static void
ngx_http_content_etag_field(ngx_table_elt_t *h, etagcore_bytes *line,
    etagcore_field *field)
{
    if (h == NULL) {
        field->lines = NULL;
        field->count = 0;
        return;
    }

    line->ptr = h->value.data;
    line->len = h->value.len;
    field->lines = line;
    field->count = 1;
}


/*
 * Turns the 200 into a 304 with the header fields RFC 9110 section 15.4.5
 * asks for: no content and no representation metadata
 * (etagcore_decision_field_rule), ETag and the caching fields kept.
 */
static void
ngx_http_content_etag_not_modified(ngx_http_request_t *r)
{
    ngx_uint_t            i, has_etag;
    ngx_list_part_t      *part;
    ngx_table_elt_t      *h;
    etagcore_field_rule   rule;

    has_etag = r->headers_out.etag != NULL && r->headers_out.etag->hash != 0;

    r->headers_out.status = NGX_HTTP_NOT_MODIFIED;
    r->headers_out.status_line.len = 0;
    r->headers_out.content_type.len = 0;
    r->headers_out.content_type_len = 0;
    r->headers_out.content_type_lowcase = NULL;
    ngx_http_clear_content_length(r);
    ngx_http_clear_accept_ranges(r);

    if (has_etag) {
        ngx_http_clear_last_modified(r);
    }

    if (r->headers_out.content_encoding) {
        r->headers_out.content_encoding->hash = 0;
        r->headers_out.content_encoding = NULL;
    }

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

        if (etagcore_decision_field_rule(ETAGCORE_DECISION_NOT_MODIFIED,
                                         h[i].key.data, h[i].key.len,
                                         has_etag, &rule)
            == ETAGCORE_RESULT_OK
            && rule == ETAGCORE_FIELD_RULE_OMIT)
        {
            h[i].hash = 0;
        }
    }
}


/* content_etag_zone NAME:SIZE; */
static char *
ngx_http_content_etag_zone(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_content_etag_main_conf_t *mcf = conf;

    u_char     *p;
    ssize_t     size;
    ngx_str_t  *value, name, s;

    if (mcf->zone != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    p = (u_char *) ngx_strchr(value[1].data, ':');
    if (p == NULL || p == value[1].data) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid zone \"%V\", expected NAME:SIZE",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    name.data = value[1].data;
    name.len = p - value[1].data;

    s.data = p + 1;
    s.len = value[1].data + value[1].len - s.data;

    size = ngx_parse_size(&s);

    if (size == NGX_ERROR || size < (ssize_t) (8 * ngx_pagesize)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "zone \"%V\" is too small or invalid, "
                           "it takes at least %uz bytes",
                           &value[1], 8 * ngx_pagesize);
        return NGX_CONF_ERROR;
    }

    mcf->zone = ngx_http_content_etag_zone_add(cf, &name, size,
                                                &ngx_http_content_etag_module);
    if (mcf->zone == NULL) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* content_etag_thread_pool NAME | off; */
static char *
ngx_http_content_etag_thread_pool(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
#if (NGX_THREADS)
    ngx_http_content_etag_loc_conf_t *lcf = conf;
#endif

    ngx_str_t  *value;

    value = cf->args->elts;

#if (NGX_THREADS)

    if (lcf->thread_pool_name.data != NULL) {
        return "is duplicate";
    }

    lcf->thread_pool_name = value[1];

    return NGX_CONF_OK;

#else

    if (ngx_strcmp(value[1].data, "off") == 0) {
        return NGX_CONF_OK;
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "\"content_etag_thread_pool %V\" needs nginx built "
                       "--with-threads", &value[1]);
    return NGX_CONF_ERROR;

#endif
}


static void *
ngx_http_content_etag_create_main_conf(ngx_conf_t *cf)
{
    return ngx_pcalloc(cf->pool, sizeof(ngx_http_content_etag_main_conf_t));
}


static void *
ngx_http_content_etag_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_content_etag_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_content_etag_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     conf->thread_pool_name = { 0, NULL };
     *     conf->thread_pool = NULL;
     */

    conf->enable = NGX_CONF_UNSET;
    conf->max_size = NGX_CONF_UNSET;
    conf->buffer = NGX_CONF_UNSET_SIZE;
    conf->upstream = NGX_CONF_UNSET_UINT;

    return conf;
}


static char *
ngx_http_content_etag_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child)
{
    ngx_http_content_etag_loc_conf_t *prev = parent;
    ngx_http_content_etag_loc_conf_t *conf = child;

    off_t                               sync_max;
    ngx_http_content_etag_main_conf_t  *mcf;

    ngx_conf_merge_value(conf->enable, prev->enable, 0);
    ngx_conf_merge_size_value(conf->buffer, prev->buffer, 0);
    ngx_conf_merge_uint_value(conf->upstream, prev->upstream,
                              NGX_HTTP_CONTENT_ETAG_KEEP);

    /* files hashed in the event loop stall it: their default limit is 16m */
    sync_max = NGX_HTTP_CONTENT_ETAG_SYNC_MAX_SIZE;

#if (NGX_THREADS)

    ngx_conf_merge_str_value(conf->thread_pool_name, prev->thread_pool_name,
                             "default");

    if (conf->enable
        && ngx_strcmp(conf->thread_pool_name.data, "off") != 0)
    {
        conf->thread_pool = ngx_thread_pool_add(cf, &conf->thread_pool_name);
        if (conf->thread_pool == NULL) {
            return NGX_CONF_ERROR;
        }

        /* in a thread a file of any size only delays its own requests */
        sync_max = NGX_MAX_OFF_T_VALUE;
    }

#endif

    ngx_conf_merge_off_value(conf->max_size, prev->max_size, sync_max);

    if (conf->enable) {
        mcf = ngx_http_conf_get_module_main_conf(cf,
                                                 ngx_http_content_etag_module);
        mcf->used = 1;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_content_etag_init(ngx_conf_t *cf)
{
    ngx_str_t                           name = ngx_string("content_etag");
    ngx_http_content_etag_main_conf_t  *mcf;

    mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_content_etag_module);

    /* one cache per host even when no zone is configured */
    if (mcf->used && mcf->zone == NULL) {
        mcf->zone = ngx_http_content_etag_zone_add(cf, &name,
                                          NGX_HTTP_CONTENT_ETAG_ZONE_SIZE,
                                          &ngx_http_content_etag_module);
        if (mcf->zone == NULL) {
            return NGX_ERROR;
        }
    }

    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_content_etag_header_filter;

    return NGX_OK;
}
