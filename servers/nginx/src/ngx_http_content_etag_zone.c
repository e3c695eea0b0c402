/*
 * The content tag cache shared by all workers of a host.
 *
 * One entry per file (device, inode) holds the key of the version hashed
 * and its 16-byte digest: 128 bytes of slab per entry, so a 1m zone holds
 * 8,088 files (measured; the slab keeps a few pages for itself).  A new version
 * of a file replaces its entry; a full zone evicts the least recently used
 * entries.  An entry can also be a claim: a request of process "owner" is
 * hashing that version, and the others wait for it rather than hash it too.
 */

#include <ngx_config.h>
#include <ngx_core.h>

#include "ngx_http_content_etag_zone.h"


/* how many least recently used entries one allocation may evict */
#define NGX_HTTP_CONTENT_ETAG_EVICT  8


typedef struct {
    ngx_rbtree_node_t            node;
    ngx_queue_t                  queue;
    ngx_http_content_etag_key_t  key;
    ngx_msec_t                   hashed;   /* when the digest was stored */
    ngx_pid_t                    owner;    /* hashing process, 0: ready */
    u_char                       racy;
    u_char                       digest[NGX_HTTP_CONTENT_ETAG_DIGEST_LEN];
} ngx_http_content_etag_node_t;


typedef struct {
    ngx_rbtree_t                 rbtree;
    ngx_rbtree_node_t            sentinel;
    ngx_queue_t                  queue;     /* most recently used first */
    ngx_uint_t                   full;      /* "zone is full" was logged */
} ngx_http_content_etag_sh_t;


typedef struct {
    ngx_http_content_etag_sh_t  *sh;
    ngx_slab_pool_t             *shpool;
} ngx_http_content_etag_zone_ctx_t;


static ngx_http_content_etag_node_t *ngx_http_content_etag_zone_find(
    ngx_http_content_etag_zone_ctx_t *ctx, ngx_http_content_etag_key_t *key);
static ngx_http_content_etag_node_t *ngx_http_content_etag_zone_alloc(
    ngx_http_content_etag_zone_ctx_t *ctx, ngx_shm_zone_t *zone);
static ngx_uint_t ngx_http_content_etag_owner_alive(ngx_pid_t pid);
static ngx_int_t ngx_http_content_etag_zone_init(ngx_shm_zone_t *zone,
    void *data);
static ngx_uint_t ngx_http_content_etag_same(ngx_http_content_etag_key_t *a,
    ngx_http_content_etag_key_t *b);


static ngx_rbtree_key_t
ngx_http_content_etag_zone_hash(ngx_http_content_etag_key_t *key)
{
    return (ngx_rbtree_key_t) key->ino * 2654435761u ^ (ngx_rbtree_key_t)
           key->dev;
}


ngx_int_t
ngx_http_content_etag_zone_lookup(ngx_shm_zone_t *zone,
    ngx_http_content_etag_key_t *key, ngx_msec_t since, u_char *digest,
    ngx_uint_t *claimed)
{
    ngx_int_t                          rc;
    ngx_http_content_etag_node_t      *node;
    ngx_http_content_etag_zone_ctx_t  *ctx;

    ctx = zone->data;
    *claimed = 0;

    ngx_shmtx_lock(&ctx->shpool->mutex);

    node = ngx_http_content_etag_zone_find(ctx, key);

    if (node != NULL && ngx_http_content_etag_same(&node->key, key)) {

        if (node->owner == 0
            && (!node->racy || (ngx_msec_int_t) (node->hashed - since) > 0))
        {
            ngx_memcpy(digest, node->digest, NGX_HTTP_CONTENT_ETAG_DIGEST_LEN);
            ngx_queue_remove(&node->queue);
            ngx_queue_insert_head(&ctx->sh->queue, &node->queue);
            rc = NGX_OK;
            goto done;
        }

        if (node->owner != 0
            && ngx_http_content_etag_owner_alive(node->owner))
        {
            rc = NGX_BUSY;
            goto done;
        }
    }

    /* no entry, another version, a racy tag or a claim whose owner died */

    if (node == NULL) {
        node = ngx_http_content_etag_zone_alloc(ctx, zone);
        if (node == NULL) {
            rc = NGX_DECLINED;
            goto done;
        }

        node->node.key = ngx_http_content_etag_zone_hash(key);
        ngx_rbtree_insert(&ctx->sh->rbtree, &node->node);

    } else {
        ngx_queue_remove(&node->queue);
    }

    ngx_queue_insert_head(&ctx->sh->queue, &node->queue);

    node->key = *key;
    node->owner = ngx_pid;
    node->racy = 0;
    *claimed = 1;
    rc = NGX_DECLINED;

done:

    ngx_shmtx_unlock(&ctx->shpool->mutex);

    return rc;
}


void
ngx_http_content_etag_zone_store(ngx_shm_zone_t *zone,
    ngx_http_content_etag_key_t *key, u_char *digest, ngx_uint_t racy)
{
    ngx_http_content_etag_node_t      *node;
    ngx_http_content_etag_zone_ctx_t  *ctx;

    ctx = zone->data;

    ngx_shmtx_lock(&ctx->shpool->mutex);

    node = ngx_http_content_etag_zone_find(ctx, key);

    /* the claim may have been evicted, or taken over by a newer version */
    if (node != NULL && node->owner == ngx_pid
        && ngx_http_content_etag_same(&node->key, key))
    {
        ngx_memcpy(node->digest, digest, NGX_HTTP_CONTENT_ETAG_DIGEST_LEN);
        node->hashed = ngx_current_msec;
        node->racy = (u_char) racy;
        node->owner = 0;
    }

    ngx_shmtx_unlock(&ctx->shpool->mutex);
}


void
ngx_http_content_etag_zone_abandon(ngx_shm_zone_t *zone,
    ngx_http_content_etag_key_t *key)
{
    ngx_http_content_etag_node_t      *node;
    ngx_http_content_etag_zone_ctx_t  *ctx;

    ctx = zone->data;

    ngx_shmtx_lock(&ctx->shpool->mutex);

    node = ngx_http_content_etag_zone_find(ctx, key);

    if (node != NULL && node->owner == ngx_pid
        && ngx_http_content_etag_same(&node->key, key))
    {
        ngx_queue_remove(&node->queue);
        ngx_rbtree_delete(&ctx->sh->rbtree, &node->node);
        ngx_slab_free_locked(ctx->shpool, node);
    }

    ngx_shmtx_unlock(&ctx->shpool->mutex);
}


/* the entry of the file (device, inode), whatever version it holds */
static ngx_http_content_etag_node_t *
ngx_http_content_etag_zone_find(ngx_http_content_etag_zone_ctx_t *ctx,
    ngx_http_content_etag_key_t *key)
{
    ngx_rbtree_key_t               hash;
    ngx_rbtree_node_t             *node, *sentinel;
    ngx_http_content_etag_node_t  *n;

    hash = ngx_http_content_etag_zone_hash(key);
    node = ctx->sh->rbtree.root;
    sentinel = ctx->sh->rbtree.sentinel;

    while (node != sentinel) {

        if (hash != node->key) {
            node = (hash < node->key) ? node->left : node->right;
            continue;
        }

        n = (ngx_http_content_etag_node_t *) node;

        if (n->key.ino == key->ino && n->key.dev == key->dev) {
            return n;
        }

        /* equal hashes: ngx_rbtree_insert_value puts them to the right */
        node = node->right;
    }

    return NULL;
}


static ngx_http_content_etag_node_t *
ngx_http_content_etag_zone_alloc(ngx_http_content_etag_zone_ctx_t *ctx,
    ngx_shm_zone_t *zone)
{
    ngx_uint_t                     n;
    ngx_queue_t                   *q, *prev;
    ngx_http_content_etag_node_t  *node;

    node = ngx_slab_alloc_locked(ctx->shpool,
                                 sizeof(ngx_http_content_etag_node_t));
    if (node != NULL) {
        return node;
    }

    /* evict the least recently used tags; claims in progress stay */

    n = 0;
    q = ngx_queue_last(&ctx->sh->queue);

    while (q != ngx_queue_sentinel(&ctx->sh->queue)
           && n < NGX_HTTP_CONTENT_ETAG_EVICT)
    {
        prev = ngx_queue_prev(q);
        node = ngx_queue_data(q, ngx_http_content_etag_node_t, queue);

        if (node->owner == 0) {
            ngx_queue_remove(q);
            ngx_rbtree_delete(&ctx->sh->rbtree, &node->node);
            ngx_slab_free_locked(ctx->shpool, node);
            n++;
        }

        q = prev;
    }

    node = ngx_slab_alloc_locked(ctx->shpool,
                                 sizeof(ngx_http_content_etag_node_t));

    if (node == NULL && !ctx->sh->full) {
        /* logged once per zone: every file is then hashed uncached */
        ctx->sh->full = 1;
        ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                      "content_etag: zone \"%V\" is full of files being "
                      "hashed; tags are computed without caching",
                      &zone->shm.name);
    }

    return node;
}


/* a claim of a worker that died (crash, kill -9) must not block the file */
static ngx_uint_t
ngx_http_content_etag_owner_alive(ngx_pid_t pid)
{
    if (pid == ngx_pid) {
        return 1;
    }

    return kill(pid, 0) == 0 || ngx_errno != NGX_ESRCH;
}


static ngx_uint_t
ngx_http_content_etag_same(ngx_http_content_etag_key_t *a,
    ngx_http_content_etag_key_t *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size
           && a->mtime == b->mtime && a->ctime == b->ctime;
}


ngx_shm_zone_t *
ngx_http_content_etag_zone_add(ngx_conf_t *cf, ngx_str_t *name, size_t size,
    void *tag)
{
    ngx_shm_zone_t  *zone;

    zone = ngx_shared_memory_add(cf, name, size, tag);
    if (zone == NULL) {
        return NULL;
    }

    if (zone->data != NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "content_etag zone \"%V\" is already defined",
                           name);
        return NULL;
    }

    zone->data = ngx_pcalloc(cf->pool,
                             sizeof(ngx_http_content_etag_zone_ctx_t));
    if (zone->data == NULL) {
        return NULL;
    }

    zone->init = ngx_http_content_etag_zone_init;

    return zone;
}


static ngx_int_t
ngx_http_content_etag_zone_init(ngx_shm_zone_t *zone, void *data)
{
    ngx_http_content_etag_zone_ctx_t  *octx = data;

    size_t                             len;
    ngx_http_content_etag_zone_ctx_t  *ctx;

    ctx = zone->data;

    if (octx != NULL) {
        /* a reload: the new cycle keeps the tags of the old one */
        ctx->sh = octx->sh;
        ctx->shpool = octx->shpool;
        return NGX_OK;
    }

    ctx->shpool = (ngx_slab_pool_t *) zone->shm.addr;

    if (zone->shm.exists) {
        ctx->sh = ctx->shpool->data;
        return NGX_OK;
    }

    ctx->sh = ngx_slab_alloc(ctx->shpool, sizeof(ngx_http_content_etag_sh_t));
    if (ctx->sh == NULL) {
        return NGX_ERROR;
    }

    ctx->shpool->data = ctx->sh;

    ngx_rbtree_init(&ctx->sh->rbtree, &ctx->sh->sentinel,
                    ngx_rbtree_insert_value);
    ngx_queue_init(&ctx->sh->queue);
    ctx->sh->full = 0;

    len = sizeof(" in content_etag zone \"\"") + zone->shm.name.len;

    ctx->shpool->log_ctx = ngx_slab_alloc(ctx->shpool, len);
    if (ctx->shpool->log_ctx == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(ctx->shpool->log_ctx, " in content_etag zone \"%V\"%Z",
                &zone->shm.name);

    /* eviction makes room: a full slab is not worth a log line each time */
    ctx->shpool->log_nomem = 0;

    return NGX_OK;
}
