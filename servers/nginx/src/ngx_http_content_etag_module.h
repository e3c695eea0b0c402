/*
 * ngx_http_content_etag_module: what its two filters share.
 */

#ifndef _NGX_HTTP_CONTENT_ETAG_MODULE_H_INCLUDED_
#define _NGX_HTTP_CONTENT_ETAG_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


typedef struct {
    ngx_shm_zone_t      *zone;      /* content_etag_zone, or the default */
    ngx_uint_t           used;      /* content_etag on somewhere */
} ngx_http_content_etag_main_conf_t;


/* content_etag_upstream: what becomes of a response's own ETag */
#define NGX_HTTP_CONTENT_ETAG_KEEP     0
#define NGX_HTTP_CONTENT_ETAG_REPLACE  1


typedef struct {
    ngx_flag_t           enable;
    off_t                max_size;  /* NGX_MAX_OFF_T_VALUE: no limit */
    size_t               buffer;    /* 0: other responses are not tagged */
    ngx_uint_t           upstream;  /* NGX_HTTP_CONTENT_ETAG_KEEP... */
#if (NGX_THREADS)
    ngx_str_t            thread_pool_name;
    ngx_thread_pool_t   *thread_pool;   /* NULL: hash in the event loop */
#endif
} ngx_http_content_etag_loc_conf_t;


/*
 * Present on a response whose tag the module set or kept: the deciding
 * filter then evaluates the conditions with it.
 */
typedef struct {
    /* the body's length (-1: unknown): if a later filter changes it, the
       bytes sent are not the ones tagged */
    off_t                length;
} ngx_http_content_etag_ctx_t;


extern ngx_module_t  ngx_http_content_etag_module;
extern ngx_module_t  ngx_http_content_etag_pre_module;


#endif /* _NGX_HTTP_CONTENT_ETAG_MODULE_H_INCLUDED_ */
