/*
 * Copyright (c) etagcore contributors. Licensed under MIT OR Apache-2.0.
 *
 * mod_content_etag: static files get the content ETag of their bytes (the
 * same on every server of a farm) and RFC 9110's conditional decisions.
 *
 * No hook lets a module supply the ETag of Apache's default handler, which
 * also decides the conditions itself (ap_meets_conditions). So this module
 * serves the files the default handler would serve, from a handler that
 * runs just before it, in the same way: open, headers, one file bucket.
 * The conditions are decided by the CONTENT_ETAG filter, placed after the
 * filters that may change the body (mod_deflate makes the tag weak) and
 * before BYTERANGE (content_etag_decide.c).
 */

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "util_mutex.h"
#include "apr_strings.h"

#include "mod_content_etag.h"


/* the one symbol LoadModule needs: the rest is built -fvisibility=hidden */
extern module AP_MODULE_DECLARE_DATA content_etag_module
    __attribute__((visibility("default")));

static ap_filter_rec_t  *content_etag_filter_handle;


static int content_etag_is_default_handler(request_rec *r);
static const char *content_etag_tag(request_rec *r, apr_file_t *fd,
                                    struct stat *st);
static const char *content_etag_weak_fallback(request_rec *r,
                                              const struct stat *st);


static int content_etag_handler(request_rec *r)
{
    int                       rc;
    conn_rec                 *c = r->connection;
    apr_file_t               *fd;
    apr_bucket               *e;
    const char               *etag;
    struct stat               st;
    apr_status_t              rv;
    core_dir_config          *d;
    apr_os_file_t             os_fd;
    apr_bucket_brigade       *bb;
    content_etag_ctx_t       *ctx;
    content_etag_dir_conf_t  *conf;

    conf = ap_get_module_config(r->per_dir_config, &content_etag_module);

    /*
     * Only what the default handler would send as a file: GET or HEAD
     * (M_GET) of a regular file, no path_info. Error documents (r->status
     * holds the error), subrequests and other handlers stay Apache's, and
     * so do responses a filter made from the file (mod_include sets
     * no_local_copy: the page's bytes do not tell when its output changes).
     */
    if (conf->enable != 1
        || r->method_number != M_GET
        || r->main != NULL
        || r->no_local_copy
        || r->status != HTTP_OK
        || r->finfo.filetype != APR_REG
        || (r->path_info != NULL && r->path_info[0] != '\0')
        || !content_etag_is_default_handler(r))
    {
        return DECLINED;
    }

    d = ap_get_core_module_config(r->per_dir_config);

    /*
     * ContentDigest On (Content-MD5, deprecated) stays the default
     * handler's; core.c's private AP_CONTENT_MD5_ON is 1
     */
    if (d->content_md5 == 1) {
        return DECLINED;
    }

    ap_allow_standard_methods(r, MERGE_ALLOW, M_GET, M_OPTIONS, M_POST, -1);

    rc = ap_discard_request_body(r);
    if (rc != OK) {
        return rc;
    }

    rv = apr_file_open(&fd, r->filename, APR_READ | APR_BINARY
#if APR_HAS_SENDFILE
                       | AP_SENDFILE_ENABLED(d->enable_sendfile)
#endif
                       , 0, r->pool);

    if (rv != APR_SUCCESS) {
        /* the default handler's answer, for the same reason */
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r,
                      "content_etag: file permissions deny server access: "
                      "%s", r->filename);
        return HTTP_FORBIDDEN;
    }

    /* the tag and the body come from this descriptor, never the path */
    apr_os_file_get(&os_fd, fd);

    if (fstat(os_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, S_ISREG(st.st_mode) ? errno : 0,
                      r, "content_etag: fstat() of %s failed or found no "
                      "regular file, leaving it to the default handler",
                      r->filename);
        apr_file_close(fd);
        return DECLINED;
    }

    etag = content_etag_tag(r, fd, &st);

    ap_update_mtime(r, apr_time_from_sec(st.st_mtim.tv_sec)
                       + st.st_mtim.tv_nsec / 1000);
    ap_set_last_modified(r);
    apr_table_setn(r->headers_out, "ETag", etag);
    ap_set_accept_ranges(r);
    ap_set_content_length(r, st.st_size);

    ctx = apr_pcalloc(r->pool, sizeof(content_etag_ctx_t));
    ctx->etag = etag;
    ctx->length = apr_table_get(r->headers_out, "Content-Length");
    ap_add_output_filter_handle(content_etag_filter_handle, ctx, r, c);

    bb = apr_brigade_create(r->pool, c->bucket_alloc);
    e = apr_brigade_insert_file(bb, fd, 0, st.st_size, r->pool);

    if (d->read_buf_size) {
        apr_bucket_file_set_buf_size(e, d->read_buf_size);
    }

#if APR_HAS_MMAP
    if (d->enable_mmap == ENABLE_MMAP_OFF) {
        (void)apr_bucket_file_enable_mmap(e, 0);
    }
#endif

    APR_BRIGADE_INSERT_TAIL(bb, apr_bucket_eos_create(c->bucket_alloc));

    rv = ap_pass_brigade(r->output_filters, bb);
    apr_brigade_cleanup(bb);

    if (rv == APR_SUCCESS || r->status != HTTP_OK || c->aborted) {
        return OK;
    }

    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, rv, r,
                  "content_etag: ap_pass_brigade failed for %s",
                  r->filename);

    return AP_FILTER_ERROR;
}


/*
 * r->handler as the default handler takes it: unset, "default-handler",
 * empty (ap_invoke_handler's name for a file without a content type, such
 * as README), or a content type (ap_invoke_handler names the handler after
 * the type when none is set; handler names never hold a '/').
 */
static int content_etag_is_default_handler(request_rec *r)
{
    return r->handler == NULL
           || r->handler[0] == '\0'
           || strcmp(r->handler, "default-handler") == 0
           || ap_strchr_c(r->handler, '/') != NULL;
}


/*
 * The content tag of the file open at `fd` with stat `st`: from the
 * child's cache, else from the host's, else hashed now in this request's
 * thread. Other requests never wait for a hash, except those for the same
 * file, which wait for that one hash instead of making their own: in this
 * child on the child cache's claim, in other children on the host's.
 */
static const char *content_etag_tag(request_rec *r, apr_file_t *fd,
                                    struct stat *st)
{
    int                          racy;
    char                        *tag, *buf;
    struct stat                  after;
    apr_time_t                   start;
    apr_status_t                 rv;
    apr_os_file_t                os_fd;
    content_etag_key_t           key, key_after;
    content_etag_lookup_e        found, shared;
    content_etag_server_conf_t  *scf;

    scf = ap_get_module_config(r->server->module_config,
                               &content_etag_module);
    content_etag_key_from_stat(&key, st);
    tag = apr_palloc(r->pool, CONTENT_ETAG_TAG_SIZE);
    start = apr_time_now();

    found = content_etag_cache_lookup(scf->cache, &key, start, tag);

    if (found == CONTENT_ETAG_HIT) {
        return tag;
    }

    racy = 0;
    shared = content_etag_shm_lookup(scf->shm, &key, start, tag, &racy);

    if (shared == CONTENT_ETAG_HIT) {
        if (found == CONTENT_ETAG_CLAIMED) {
            content_etag_cache_done(scf->cache, &key, tag, racy);
        }
        return tag;
    }

    apr_os_file_get(&os_fd, fd);
    buf = apr_palloc(r->pool, CONTENT_ETAG_READ_SIZE);

    rv = content_etag_hash_fd(os_fd, key.size, buf, CONTENT_ETAG_READ_SIZE,
                              tag);

    /*
     * The bytes read are this version's only if the key did not move; a
     * file that changed is then sent as it now is (its new size).
     */
    if (fstat(os_fd, &after) == 0) {
        content_etag_key_from_stat(&key_after, &after);

        if (!content_etag_key_equal(&key, &key_after)) {
            *st = after;
            if (rv == APR_SUCCESS) {
                rv = APR_EGENERAL;
            }
        }
    }
    else if (rv == APR_SUCCESS) {
        rv = errno;
    }

    if (rv != APR_SUCCESS) {
        tag = NULL;
    }
    else {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r,
                      "content_etag: hashed %s (%" APR_INT64_T_FMT " bytes)",
                      r->filename, key.size);
        racy = content_etag_key_is_racy(&key, start);
    }

    if (shared == CONTENT_ETAG_CLAIMED) {
        content_etag_shm_done(scf->shm, &key, tag, racy);
    }

    if (found == CONTENT_ETAG_CLAIMED) {
        content_etag_cache_done(scf->cache, &key, tag, racy);
    }

    if (tag == NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, rv, r,
                      "content_etag: %s changed or could not be read "
                      "while hashed, sending a weak tag", r->filename);

        return content_etag_weak_fallback(r, st);
    }

    return tag;
}


/*
 * Apache's own MTime Size tag, made weak: for a file whose bytes this
 * module could not tie to one version. Never a strong per-server tag.
 */
static const char *content_etag_weak_fallback(request_rec *r,
                                              const struct stat *st)
{
    apr_time_t  mtime;

    mtime = apr_time_from_sec(st->st_mtim.tv_sec) + st->st_mtim.tv_nsec / 1000;

    return apr_psprintf(r->pool, "W/\"%" APR_UINT64_T_HEX_FMT "-%"
                        APR_UINT64_T_HEX_FMT "\"",
                        (apr_uint64_t)st->st_size, (apr_uint64_t)mtime);
}


static int content_etag_pre_config(apr_pool_t *pconf, apr_pool_t *plog,
                                   apr_pool_t *ptemp)
{
    return ap_mutex_register(pconf, CONTENT_ETAG_MUTEX, NULL,
                             APR_LOCK_DEFAULT, 0) == APR_SUCCESS
           ? OK : HTTP_INTERNAL_SERVER_ERROR;
}


/* the host's cache, made by the parent before the children fork */
static int content_etag_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                                    apr_pool_t *ptemp, server_rec *s)
{
    const char                  *err;
    server_rec                  *vhost;
    content_etag_server_conf_t  *scf;

    scf = ap_get_module_config(s->module_config, &content_etag_module);
    scf->shm = content_etag_shm_create(pconf, s, scf->entries, &err);

    if (scf->shm == NULL) {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s, "content_etag: %s", err);
        return HTTP_INTERNAL_SERVER_ERROR;
    }

    /* one cache for all virtual hosts: the main server's */
    for (vhost = s->next; vhost != NULL; vhost = vhost->next) {
        ap_set_module_config(vhost->module_config, &content_etag_module,
                             scf);
    }

    return OK;
}


static void content_etag_child_init(apr_pool_t *pchild, server_rec *s)
{
    content_etag_server_conf_t  *scf;

    /* the child's copy, shared by its threads */
    scf = ap_get_module_config(s->module_config, &content_etag_module);
    scf->cache = content_etag_cache_create(pchild, scf->entries);

    if (scf->cache == NULL
        || content_etag_shm_child_init(scf->shm, pchild) != APR_SUCCESS)
    {
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, s,
                     "content_etag: cannot set up the tag cache");
        exit(APEXIT_CHILDSICK);
    }
}


static void *content_etag_create_dir_conf(apr_pool_t *p, char *dir)
{
    content_etag_dir_conf_t  *conf;

    conf = apr_pcalloc(p, sizeof(content_etag_dir_conf_t));
    conf->enable = -1;

    return conf;
}


static void *content_etag_merge_dir_conf(apr_pool_t *p, void *parent,
                                         void *child)
{
    content_etag_dir_conf_t  *prev = parent, *conf = child, *merged;

    merged = apr_pcalloc(p, sizeof(content_etag_dir_conf_t));
    merged->enable = conf->enable != -1 ? conf->enable : prev->enable;

    return merged;
}


static void *content_etag_create_server_conf(apr_pool_t *p, server_rec *s)
{
    content_etag_server_conf_t  *scf;

    scf = apr_pcalloc(p, sizeof(content_etag_server_conf_t));
    scf->entries = CONTENT_ETAG_CACHE_ENTRIES;

    return scf;
}


static const char *content_etag_set_entries(cmd_parms *cmd, void *dummy,
                                            const char *arg)
{
    char                        *end;
    apr_int64_t                  n;
    const char                  *err;
    content_etag_server_conf_t  *scf;

    err = ap_check_cmd_context(cmd, GLOBAL_ONLY);
    if (err != NULL) {
        return err;
    }

    n = apr_strtoi64(arg, &end, 10);

    if (*end != '\0' || n < 1 || n > 1000000) {
        return "ContentETagCacheEntries takes a number of files "
               "from 1 to 1000000";
    }

    scf = ap_get_module_config(cmd->server->module_config,
                               &content_etag_module);
    scf->entries = (apr_size_t)n;

    return NULL;
}


static const command_rec  content_etag_cmds[] = {

    AP_INIT_FLAG("ContentETag", ap_set_flag_slot,
                 (void *)APR_OFFSETOF(content_etag_dir_conf_t, enable),
                 RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                 "On: static files get the content ETag of their bytes "
                 "and RFC 9110's conditional decisions"),

    AP_INIT_TAKE1("ContentETagCacheEntries", content_etag_set_entries, NULL,
                  RSRC_CONF,
                  "the number of file tags the host keeps (in shared "
                  "memory, and in each child's copy)"),

    { NULL }
};


static void content_etag_register_hooks(apr_pool_t *p)
{
    /* after every other module's handler, before core's default handler */
    static const char * const  before[] = { "core.c", NULL };

    ap_hook_handler(content_etag_handler, NULL, before,
                    APR_HOOK_REALLY_LAST);
    ap_hook_pre_config(content_etag_pre_config, NULL, NULL,
                       APR_HOOK_MIDDLE);
    ap_hook_post_config(content_etag_post_config, NULL, NULL,
                        APR_HOOK_MIDDLE);
    ap_hook_child_init(content_etag_child_init, NULL, NULL,
                       APR_HOOK_MIDDLE);

    /* after CONTENT_SET filters (deflate, brotli), before BYTERANGE */
    content_etag_filter_handle =
        ap_register_output_filter("CONTENT_ETAG", content_etag_decide_filter,
                                  NULL, AP_FTYPE_PROTOCOL - 1);
}


AP_DECLARE_MODULE(content_etag) = {
    STANDARD20_MODULE_STUFF,
    content_etag_create_dir_conf,
    content_etag_merge_dir_conf,
    content_etag_create_server_conf,
    NULL,
    content_etag_cmds,
    content_etag_register_hooks
#if defined(AP_MODULE_FLAG_ALWAYS_MERGE)
    , AP_MODULE_FLAG_NONE
#endif
};
