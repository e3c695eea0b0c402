/*
 * Copyright (c) etagcore contributors. Licensed under MIT OR Apache-2.0.
 *
 * A fixed array of entries allocated once per child, an apr_hash_t from
 * (device, inode) to entry, and a doubly linked LRU list (head: most
 * recently used). One mutex guards all of it; one condition wakes the
 * threads waiting for a hash, which is rare enough to broadcast.
 */

#include <string.h>

#include "apr_hash.h"
#include "apr_thread_cond.h"
#include "apr_thread_mutex.h"

#include "content_etag_cache.h"


typedef struct content_etag_entry_s  content_etag_entry_t;

struct content_etag_entry_s {
    /* dev and ino first: the hash table's key is these 16 bytes */
    content_etag_key_t     key;
    content_etag_entry_t  *prev;
    content_etag_entry_t  *next;
    apr_time_t             done;       /* when a racy tag was finished */
    unsigned               busy:1;     /* claimed, being hashed */
    unsigned               racy:1;
    char                   tag[CONTENT_ETAG_TAG_SIZE];
};

#define CONTENT_ETAG_ID_LEN  (2 * sizeof(apr_uint64_t))

struct content_etag_cache_s {
    apr_thread_mutex_t    *mutex;
    apr_thread_cond_t     *cond;
    apr_hash_t            *index;
    content_etag_entry_t  *entries;
    apr_size_t             count;
    apr_size_t             fresh;      /* first entry never used */
    content_etag_entry_t  *free;       /* dropped entries, through next */
    content_etag_entry_t  *head;
    content_etag_entry_t  *tail;
};


static void content_etag_unlink(content_etag_cache_t *cache,
                                content_etag_entry_t *e);
static void content_etag_push(content_etag_cache_t *cache,
                              content_etag_entry_t *e);
static content_etag_entry_t *content_etag_take(content_etag_cache_t *cache);


content_etag_cache_t *content_etag_cache_create(apr_pool_t *pool,
                                                apr_size_t entries)
{
    content_etag_cache_t  *cache;

    cache = apr_pcalloc(pool, sizeof(content_etag_cache_t));
    cache->entries = apr_pcalloc(pool,
                                 entries * sizeof(content_etag_entry_t));
    cache->count = entries;
    cache->index = apr_hash_make(pool);

    if (apr_thread_mutex_create(&cache->mutex, APR_THREAD_MUTEX_DEFAULT,
                                pool)
        != APR_SUCCESS
        || apr_thread_cond_create(&cache->cond, pool) != APR_SUCCESS)
    {
        return NULL;
    }

    return cache;
}


content_etag_lookup_e content_etag_cache_lookup(content_etag_cache_t *cache,
                                                const content_etag_key_t *key,
                                                apr_time_t since, char *tag)
{
    content_etag_entry_t  *e;

    apr_thread_mutex_lock(cache->mutex);

    for (;;) {
        e = apr_hash_get(cache->index, key, CONTENT_ETAG_ID_LEN);

        if (e == NULL || !e->busy) {
            break;
        }

        /* another thread hashes this file: wait for its tag */
        apr_thread_cond_wait(cache->cond, cache->mutex);
    }

    if (e != NULL && content_etag_key_equal(&e->key, key)
        && (!e->racy || since < e->done))
    {
        memcpy(tag, e->tag, CONTENT_ETAG_TAG_SIZE);
        content_etag_unlink(cache, e);
        content_etag_push(cache, e);
        apr_thread_mutex_unlock(cache->mutex);
        return CONTENT_ETAG_HIT;
    }

    /* a new file, or another version of it: claim the entry */
    if (e == NULL) {
        e = content_etag_take(cache);

        if (e == NULL) {
            apr_thread_mutex_unlock(cache->mutex);
            return CONTENT_ETAG_NO_ROOM;
        }
    }

    e->key = *key;
    e->busy = 1;
    e->racy = 0;
    apr_hash_set(cache->index, &e->key, CONTENT_ETAG_ID_LEN, e);
    content_etag_unlink(cache, e);
    content_etag_push(cache, e);

    apr_thread_mutex_unlock(cache->mutex);

    return CONTENT_ETAG_CLAIMED;
}


void content_etag_cache_done(content_etag_cache_t *cache,
                             const content_etag_key_t *key, const char *tag,
                             int racy)
{
    content_etag_entry_t  *e;

    apr_thread_mutex_lock(cache->mutex);

    e = apr_hash_get(cache->index, key, CONTENT_ETAG_ID_LEN);

    if (e != NULL && e->busy) {
        e->busy = 0;

        if (tag == NULL) {
            /* nothing to keep: the entry goes back to the free end */
            apr_hash_set(cache->index, &e->key, CONTENT_ETAG_ID_LEN, NULL);
            content_etag_unlink(cache, e);
            e->next = cache->free;
            cache->free = e;
        }
        else {
            memcpy(e->tag, tag, CONTENT_ETAG_TAG_SIZE);
            e->racy = racy ? 1 : 0;
            e->done = apr_time_now();
        }
    }

    apr_thread_cond_broadcast(cache->cond);
    apr_thread_mutex_unlock(cache->mutex);
}


/*
 * An entry for a new file: a dropped one, a never used one, else the
 * least recently used entry that is not being hashed. Called locked.
 */
static content_etag_entry_t *content_etag_take(content_etag_cache_t *cache)
{
    content_etag_entry_t  *e;

    if (cache->free != NULL) {
        e = cache->free;
        cache->free = e->next;
        e->next = NULL;
        return e;
    }

    if (cache->fresh < cache->count) {
        return &cache->entries[cache->fresh++];
    }

    for (e = cache->tail; e != NULL; e = e->prev) {
        if (!e->busy) {
            apr_hash_set(cache->index, &e->key, CONTENT_ETAG_ID_LEN, NULL);
            content_etag_unlink(cache, e);
            return e;
        }
    }

    return NULL;
}


static void content_etag_unlink(content_etag_cache_t *cache,
                                content_etag_entry_t *e)
{
    if (e->prev != NULL) {
        e->prev->next = e->next;
    }
    else if (cache->head == e) {
        cache->head = e->next;
    }

    if (e->next != NULL) {
        e->next->prev = e->prev;
    }
    else if (cache->tail == e) {
        cache->tail = e->prev;
    }

    e->prev = NULL;
    e->next = NULL;
}


static void content_etag_push(content_etag_cache_t *cache,
                              content_etag_entry_t *e)
{
    e->next = cache->head;

    if (cache->head != NULL) {
        cache->head->prev = e;
    }
    else {
        cache->tail = e;
    }

    cache->head = e;
}
