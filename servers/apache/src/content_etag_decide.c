/*
 * Copyright (c) etagcore contributors. Licensed under MIT OR Apache-2.0.
 *
 * The CONTENT_ETAG output filter: decides the conditional request with
 * etagcore when the first brigade of the response reaches it, that is
 * after the filters that may change the body and before BYTERANGE, so
 * that the decision sees the ETag as it will be sent.
 */

#include <string.h>

#include "httpd.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "apr_strings.h"

#include "mod_content_etag.h"


static void content_etag_field(request_rec *r, const char *name,
                               etagcore_bytes *line, etagcore_field *field);
static void content_etag_no_content(request_rec *r, etagcore_decision decision,
                                    int has_etag);
static void content_etag_drop_data(apr_bucket_brigade *bb);
static int content_etag_is_ours(const char *ours, const char *etag);


apr_status_t content_etag_decide_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    int                       has_etag;
    int64_t                   lm;
    request_rec              *r = f->r;
    const char               *etag, *length, *value;
    etagcore_bytes            lines[5];
    etagcore_result           rc;
    etagcore_request          req;
    etagcore_decision         decision;
    content_etag_ctx_t       *ctx = f->ctx;
    etagcore_representation   current;

    if (ctx->decided) {
        if (ctx->drop) {
            content_etag_drop_data(bb);
        }
        return APR_BRIGADE_EMPTY(bb) ? APR_SUCCESS
                                     : ap_pass_brigade(f->next, bb);
    }

    ctx->decided = 1;

    /*
     * Every body-changing filter in httpd (deflate, brotli, substitute,
     * sed...) unsets Content-Length: the bytes sent are then not the bytes
     * hashed, and only the weak tag is true (RFC 9110 8.8.3.3). It replaces
     * mod_deflate's and mod_brotli's "-gzip" / "-br" suffix on our tag. An
     * ETag another module removed stays removed, one it set stays set.
     */
    etag = apr_table_get(r->headers_out, "ETag");
    length = apr_table_get(r->headers_out, "Content-Length");

    if (etag != NULL && content_etag_is_ours(ctx->etag, etag)
        && (length == NULL || strcmp(length, ctx->length) != 0
            || strcmp(etag, ctx->etag) != 0))
    {
        etag = ctx->etag[0] == 'W' ? ctx->etag
                                   : apr_pstrcat(r->pool, "W/", ctx->etag,
                                                 NULL);
        apr_table_setn(r->headers_out, "ETag", etag);
    }

    /* FileETag None or SSIETag Off: the header filter drops the ETag */
    has_etag = etag != NULL && apr_table_get(r->notes, "no-etag") == NULL;

    /* httpd merged repeated field lines with ", ": one line each */
    memset(&req, 0, sizeof(etagcore_request));
    req.method.ptr = (const uint8_t *)r->method;
    req.method.len = strlen(r->method);
    content_etag_field(r, "If-Match", &lines[0], &req.if_match);
    content_etag_field(r, "If-None-Match", &lines[1], &req.if_none_match);
    content_etag_field(r, "If-Modified-Since", &lines[2],
                       &req.if_modified_since);
    content_etag_field(r, "If-Unmodified-Since", &lines[3],
                       &req.if_unmodified_since);
    content_etag_field(r, "If-Range", &lines[4], &req.if_range);
    req.has_range = apr_table_get(r->headers_in, "Range") != NULL;

    memset(&current, 0, sizeof(etagcore_representation));

    if (has_etag) {
        current.etag.ptr = (const uint8_t *)etag;
        current.etag.len = strlen(etag);
    }

    value = apr_table_get(r->headers_out, "Last-Modified");

    if (value != NULL
        && etagcore_http_date_parse((const uint8_t *)value, strlen(value),
                                    apr_time_sec(r->request_time), &lm)
           == ETAGCORE_RESULT_OK)
    {
        current.has_last_modified = 1;
        current.last_modified = lm;
    }

    /* Apache's legacy Range alias is not HTTP: BYTERANGE must not see it */
    apr_table_unset(r->headers_in, "Request-Range");

    rc = etagcore_request_evaluate(&req, &current,
                                   apr_time_sec(r->request_time), &decision);

    if (rc != ETAGCORE_RESULT_OK) {
        /*
         * An ETag that is no valid field value (set by another module):
         * the full 200 is always a correct answer.
         */
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      "content_etag: evaluation failed (%s), "
                      "sending the full response", etagcore_result_str(rc));
        decision = ETAGCORE_DECISION_PERFORM;
    }

    switch (decision) {

    case ETAGCORE_DECISION_NOT_MODIFIED:
    case ETAGCORE_DECISION_PRECONDITION_FAILED:
        /*
         * Both without content, as Apache's default handler makes its own
         * (an error bucket would go through ap_die, which counts the
         * request twice toward MaxKeepAliveRequests).
         */
        ctx->drop = 1;
        content_etag_no_content(r, decision, has_etag);
        content_etag_drop_data(bb);
        break;

    case ETAGCORE_DECISION_SERVE_RANGE:
        /* If-Range is decided: BYTERANGE must not judge it again */
        apr_table_unset(r->headers_in, "If-Range");
        ap_remove_output_filter(f);
        break;

    default:
        /* a false If-Range, or HEAD: RFC 9110 sends the whole of it */
        apr_table_unset(r->headers_in, "Range");
        ap_remove_output_filter(f);
        break;
    }

    return APR_BRIGADE_EMPTY(bb) ? APR_SUCCESS : ap_pass_brigade(f->next, bb);
}


static void content_etag_field(request_rec *r, const char *name,
                               etagcore_bytes *line, etagcore_field *field)
{
    const char  *value;

    value = apr_table_get(r->headers_in, name);

    if (value == NULL) {
        field->lines = NULL;
        field->count = 0;
        return;
    }

    line->ptr = (const uint8_t *)value;
    line->len = strlen(value);
    field->lines = line;
    field->count = 1;
}


typedef struct {
    apr_array_header_t  *omit;
    int                  has_etag;
} content_etag_omit_t;


static int content_etag_collect_omit(void *data, const char *name,
                                     const char *value)
{
    content_etag_omit_t  *o = data;
    etagcore_field_rule   rule;

    if (etagcore_decision_field_rule(ETAGCORE_DECISION_NOT_MODIFIED,
                                     (const uint8_t *)name, strlen(name),
                                     o->has_etag, &rule)
        == ETAGCORE_RESULT_OK
        && rule == ETAGCORE_FIELD_RULE_OMIT)
    {
        *(const char **)apr_array_push(o->omit) = name;
    }

    return 1;
}


/*
 * Turns the 200 into a 304 with the fields RFC 9110 section 15.4.5 asks
 * for (etagcore_decision_field_rule): no representation metadata, the
 * ETag, Vary and the caching fields kept; or into a 412, which carries no
 * representation either and drops the same fields.
 */
static void content_etag_no_content(request_rec *r, etagcore_decision decision,
                                    int has_etag)
{
    int                   i;
    apr_table_t          *t[2];
    content_etag_omit_t   o;

    r->status = decision == ETAGCORE_DECISION_NOT_MODIFIED
                ? HTTP_NOT_MODIFIED : HTTP_PRECONDITION_FAILED;
    r->status_line = NULL;
    r->content_type = NULL;
    r->content_encoding = NULL;
    r->content_languages = NULL;
    r->clength = 0;

    /* range support describes the 200: no 304 or 412 of the farm has it */
    apr_table_unset(r->headers_out, "Accept-Ranges");

    t[0] = r->headers_out;
    t[1] = r->err_headers_out;
    o.has_etag = has_etag;

    for (i = 0; i < 2; i++) {
        o.omit = apr_array_make(r->pool, 8, sizeof(const char *));
        apr_table_do(content_etag_collect_omit, &o, t[i], NULL);

        while (o.omit->nelts > 0) {
            apr_table_unset(t[i], *(const char **)apr_array_pop(o.omit));
        }
    }
}


/* what a 304 keeps of the body: its end (EOS), flushes, errors */
static void content_etag_drop_data(apr_bucket_brigade *bb)
{
    apr_bucket  *e, *next;

    for (e = APR_BRIGADE_FIRST(bb); e != APR_BRIGADE_SENTINEL(bb); e = next) {
        next = APR_BUCKET_NEXT(e);

        if (!APR_BUCKET_IS_METADATA(e)) {
            apr_bucket_delete(e);
        }
    }
}


/*
 * `etag` is the module's tag `ours` ("<hex>"), possibly as a filter left
 * it: with a suffix inside the quotes ("<hex>-gzip", DeflateAlterETag's
 * default) or already weak.
 */
static int content_etag_is_ours(const char *ours, const char *etag)
{
    size_t  n;

    if (etag[0] == 'W' && etag[1] == '/') {
        etag += 2;
    }

    if (ours[0] == 'W' && ours[1] == '/') {
        ours += 2;
    }

    /* the tag without its closing quote */
    n = strlen(ours)- 1;

    return strncmp(etag, ours, n) == 0
           && (etag[n] == '"' || etag[n] == '-');
}
