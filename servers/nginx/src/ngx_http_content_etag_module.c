/*
 * ngx_http_content_etag_module: content ETags and RFC 9110 conditional requests for static
 * files, so that every server of a farm gives the same file the same ETag and answers every
 * revalidation, whichever server receives it.
 *
 * Two header filters (see ../config for their places in the chain):
 *  - ngx_http_content_etag_pre_module, before nginx's not-modified filter: for a static file
 *    response it sets the file's content tag as the ETag and disables nginx's own evaluation;
 *  - ngx_http_content_etag_module, after the gzip filter and before the range filter: it
 *    evaluates If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since and If-Range with
 *    etagcore and answers 304 or 412 itself, or lets the range filter serve the range.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <etagcore.h>

#include "ngx_http_content_etag_cache.h"


typedef struct {
    ngx_flag_t   enable;
    off_t        max_size;
} ngx_http_content_etag_loc_conf_t;


/* Present on a static-file response this module took over: the main filter then decides. */
typedef struct {
    /* the file's length: if a later filter changes it, the bytes sent are not the file's */
    off_t        length;
} ngx_http_content_etag_ctx_t;


static ngx_int_t ngx_http_content_etag_pre_header_filter(ngx_http_request_t *r);
static ngx_int_t ngx_http_content_etag_header_filter(ngx_http_request_t *r);
static ngx_int_t ngx_http_content_etag_open(ngx_http_request_t *r,
    ngx_open_file_info_t *of);
static ngx_int_t ngx_http_content_etag_set(ngx_http_request_t *r, u_char *tag,
    size_t len);
static void ngx_http_content_etag_field(ngx_table_elt_t *h, etagcore_bytes *line,
    etagcore_field *field);
static void ngx_http_content_etag_not_modified(ngx_http_request_t *r);
static void *ngx_http_content_etag_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_content_etag_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static ngx_int_t ngx_http_content_etag_init(ngx_conf_t *cf);
static ngx_int_t ngx_http_content_etag_pre_init(ngx_conf_t *cf);


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

      ngx_null_command
};


static ngx_http_module_t  ngx_http_content_etag_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_http_content_etag_init,            /* postconfiguration */

    NULL,                                  /* create main configuration */
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
static ngx_http_output_header_filter_pt  ngx_http_next_pre_header_filter;


static ngx_int_t
ngx_http_content_etag_pre_header_filter(ngx_http_request_t *r)
{
    u_char                             tag[ETAGCORE_CONTENT_TAG_LEN];
    ngx_int_t                          rc;
    ngx_open_file_info_t               of;
    ngx_http_content_etag_ctx_t       *ctx;
    ngx_http_content_etag_loc_conf_t  *conf;

    conf = ngx_http_get_module_loc_conf(r, ngx_http_content_etag_module);

    /* only a 200 from a static file, as the static and gzip_static handlers produce */
    if (!conf->enable
        || r != r->main
        || r->upstream != NULL
        || r->headers_out.status != NGX_HTTP_OK
        || !(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))
        || r->headers_out.last_modified_time == -1
        || r->headers_out.content_length_n < 0)
    {
        return ngx_http_next_pre_header_filter(r);
    }

    if (ngx_http_content_etag_open(r, &of) != NGX_OK) {
        return ngx_http_next_pre_header_filter(r);
    }

    rc = ngx_http_content_etag_file_tag(of.fd, conf->max_size, r->connection->log, tag);

    if (rc == NGX_ERROR) {
        return ngx_http_next_pre_header_filter(r);
    }

    if (rc == NGX_DECLINED) {
        /*
         * Too large to hash in the request path (or changing while read): nginx's own
         * "mtime-size" tag stays, marked weak, since it names this server's metadata, not the
         * bytes. The conditions are still evaluated by etagcore: a weak tag then never
         * satisfies If-Match or If-Range, as RFC 9110's strong comparison requires.
         */
        ngx_http_weak_etag(r);

    } else if (ngx_http_content_etag_set(r, tag, ETAGCORE_CONTENT_TAG_LEN) != NGX_OK) {
        return NGX_ERROR;
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_content_etag_ctx_t));
    if (ctx == NULL) {
        return NGX_ERROR;
    }

    ctx->length = r->headers_out.content_length_n;
    ngx_http_set_ctx(r, ctx, ngx_http_content_etag_module);

    /* the main filter evaluates the conditions, in RFC 9110's order, with this tag */
    r->disable_not_modified = 1;

    return ngx_http_next_pre_header_filter(r);
}


/*
 * Opens (through the open file cache) the file the static or gzip_static handler is serving,
 * and checks it is the same one: a regular file of the response's length and mtime.
 */
static ngx_int_t
ngx_http_content_etag_open(ngx_http_request_t *r, ngx_open_file_info_t *of)
{
    u_char                    *last;
    size_t                     root;
    ngx_str_t                  path;
    ngx_uint_t                 gzip;
    ngx_table_elt_t           *ce;
    ngx_http_core_loc_conf_t  *clcf;

    /* before the gzip filter runs, only gzip_static can have set Content-Encoding: gzip */
    ce = r->headers_out.content_encoding;
    gzip = ce != NULL && ce->hash != 0 && ce->value.len == 4
           && ngx_strncasecmp(ce->value.data, (u_char *) "gzip", 4) == 0;

    last = ngx_http_map_uri_to_path(r, &path, &root, gzip ? sizeof(".gz") - 1 : 0);
    if (last == NULL) {
        return NGX_ERROR;
    }

    if (gzip) {
        last = ngx_cpymem(last, ".gz", sizeof(".gz") - 1);
        *last = '\0';
    }

    path.len = last - path.data;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    ngx_memzero(of, sizeof(ngx_open_file_info_t));

    of->read_ahead = clcf->read_ahead;
    of->directio = NGX_OPEN_FILE_DIRECTIO_OFF;
    of->valid = clcf->open_file_cache_valid;
    of->min_uses = clcf->open_file_cache_min_uses;
    of->errors = clcf->open_file_cache_errors;
    of->events = clcf->open_file_cache_events;

    if (ngx_http_set_disable_symlinks(r, clcf, &path, of) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_open_cached_file(clcf->open_file_cache, &path, of, r->pool) != NGX_OK) {
        return NGX_ERROR;
    }

    if (!of->is_file
        || of->size != r->headers_out.content_length_n
        || of->mtime != r->headers_out.last_modified_time)
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_content_etag_set(ngx_http_request_t *r, u_char *tag, size_t len)
{
    u_char           *value;
    ngx_table_elt_t  *etag;

    value = ngx_pnalloc(r->pool, len);
    if (value == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(value, tag, len);

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
    etag->value.data = value;
    etag->value.len = len;

    return NGX_OK;
}


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
     * A filter that changes the body (gzip, charset recoding, sub, ssi...) clears the length:
     * the bytes sent are no longer the file's, so the tag may only be weak. gzip weakens it
     * itself; this covers every other transformation the same way.
     */
    if (r->headers_out.content_length_n != ctx->length) {
        ngx_http_weak_etag(r);
    }

    /* `if_modified_since off;` keeps its meaning: the field is not evaluated */
    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);
    ims = clcf->if_modified_since == NGX_HTTP_IMS_OFF ? NULL : r->headers_in.if_modified_since;

    /*
     * nginx 1.22 answers 400 to a second If-* field line before any filter runs, so each field
     * has at most one line here.
     */
    ngx_memzero(&req, sizeof(etagcore_request));
    req.method.ptr = r->method_name.data;
    req.method.len = r->method_name.len;
    ngx_http_content_etag_field(r->headers_in.if_match, &lines[0], &req.if_match);
    ngx_http_content_etag_field(r->headers_in.if_none_match, &lines[1], &req.if_none_match);
    ngx_http_content_etag_field(ims, &lines[2], &req.if_modified_since);
    ngx_http_content_etag_field(r->headers_in.if_unmodified_since, &lines[3],
                                &req.if_unmodified_since);
    ngx_http_content_etag_field(r->headers_in.if_range, &lines[4], &req.if_range);
    req.has_range = r->headers_in.range != NULL;

    /* the ETag as it now stands: W/"..." if the gzip filter compresses on the fly */
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
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "content_etag: evaluation failed: %s", etagcore_result_str(rc));
        return ngx_http_next_header_filter(r);
    }

    switch (decision) {

    case ETAGCORE_DECISION_NOT_MODIFIED:
        ngx_http_content_etag_not_modified(r);
        return ngx_http_next_header_filter(r);

    case ETAGCORE_DECISION_PRECONDITION_FAILED:
        return ngx_http_filter_finalize_request(r, &ngx_http_content_etag_module,
                                                NGX_HTTP_PRECONDITION_FAILED);

    case ETAGCORE_DECISION_SERVE_RANGE:
        /* If-Range (if any) is decided: the range filter must not compare it again */
        r->headers_in.if_range = NULL;
        return ngx_http_next_header_filter(r);

    default:
        /* a false If-Range, or HEAD: RFC 9110 says to send the full representation */
        r->headers_in.range = NULL;
        return ngx_http_next_header_filter(r);
    }
}


static void
ngx_http_content_etag_field(ngx_table_elt_t *h, etagcore_bytes *line, etagcore_field *field)
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
 * Turns the 200 into a 304 with the header fields RFC 9110 section 15.4.5 asks for: no
 * content and no representation metadata (etagcore_decision_field_rule), ETag and the caching
 * fields kept.
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

        if (etagcore_decision_field_rule(ETAGCORE_DECISION_NOT_MODIFIED, h[i].key.data,
                                         h[i].key.len, has_etag, &rule)
            == ETAGCORE_RESULT_OK
            && rule == ETAGCORE_FIELD_RULE_OMIT)
        {
            h[i].hash = 0;
        }
    }
}


static void *
ngx_http_content_etag_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_content_etag_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_content_etag_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    conf->enable = NGX_CONF_UNSET;
    conf->max_size = NGX_CONF_UNSET;

    return conf;
}


static char *
ngx_http_content_etag_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_content_etag_loc_conf_t *prev = parent;
    ngx_http_content_etag_loc_conf_t *conf = child;

    ngx_conf_merge_value(conf->enable, prev->enable, 0);
    ngx_conf_merge_off_value(conf->max_size, prev->max_size, 16 * 1024 * 1024);

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_content_etag_init(ngx_conf_t *cf)
{
    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_content_etag_header_filter;

    return NGX_OK;
}


static ngx_int_t
ngx_http_content_etag_pre_init(ngx_conf_t *cf)
{
    ngx_http_next_pre_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_content_etag_pre_header_filter;

    return NGX_OK;
}
