/*
 * Copyright (c) etagcore contributors. Licensed under MIT OR Apache-2.0.
 *
 * An open-addressed table of fixed slots: a file's slot is found by its
 * (device, inode) within a window of CONTENT_ETAG_PROBE slots from its
 * hash; a new file takes an empty slot of its window, else the least
 * recently used one that is not being hashed. No pointers live in the
 * segment, so it means the same in every child.
 */

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "httpd.h"
#include "http_log.h"
#include "util_mutex.h"
#include "apr_shm.h"

#include "content_etag_shm.h"


#define CONTENT_ETAG_PROBE  8

enum {
    CONTENT_ETAG_EMPTY = 0,
    CONTENT_ETAG_BUSY,
    CONTENT_ETAG_READY
};

typedef struct {
    content_etag_key_t  key;
    apr_time_t          used;      /* last lookup, for LRU */
    apr_time_t          done;      /* when the tag was finished */
    apr_int32_t         owner;     /* BUSY: the pid hashing it */
    apr_uint16_t        state;
    apr_uint16_t        racy;
    char                tag[CONTENT_ETAG_TAG_SIZE];
} content_etag_slot_t;

struct content_etag_shm_s {
    apr_global_mutex_t   *mutex;
    content_etag_slot_t  *slots;
    apr_size_t            count;
};


static content_etag_slot_t *content_etag_shm_find(content_etag_shm_t *shm,
                                                  const content_etag_key_t *key,
                                                  int for_new);
static int content_etag_shm_owner_alive(apr_int32_t pid);


content_etag_shm_t *content_etag_shm_create(apr_pool_t *pool, server_rec *s,
                                            apr_size_t entries,
                                            const char **err)
{
    apr_shm_t           *seg;
    apr_status_t         rv;
    content_etag_shm_t  *shm;

    shm = apr_pcalloc(pool, sizeof(content_etag_shm_t));
    shm->count = entries;

    /* anonymous: inherited by the children, gone with the pool */
    rv = apr_shm_create(&seg, entries * sizeof(content_etag_slot_t), NULL,
                        pool);
    if (rv != APR_SUCCESS) {
        *err = "cannot create the shared memory of the tag cache";
        return NULL;
    }

    shm->slots = apr_shm_baseaddr_get(seg);
    memset(shm->slots, 0, entries * sizeof(content_etag_slot_t));

    rv = ap_global_mutex_create(&shm->mutex, NULL, CONTENT_ETAG_MUTEX, NULL,
                                s, pool, 0);
    if (rv != APR_SUCCESS) {
        *err = "cannot create the tag cache's mutex";
        return NULL;
    }

    return shm;
}


apr_status_t content_etag_shm_child_init(content_etag_shm_t *shm,
                                         apr_pool_t *pchild)
{
    return apr_global_mutex_child_init(&shm->mutex,
                                       apr_global_mutex_lockfile(shm->mutex),
                                       pchild);
}


content_etag_lookup_e content_etag_shm_lookup(content_etag_shm_t *shm,
                                              const content_etag_key_t *key,
                                              apr_time_t since, char *tag,
                                              int *racy)
{
    content_etag_slot_t  *slot;

    for (;;) {
        if (apr_global_mutex_lock(shm->mutex) != APR_SUCCESS) {
            return CONTENT_ETAG_NO_ROOM;
        }

        slot = content_etag_shm_find(shm, key, 0);

        if (slot == NULL || slot->state != CONTENT_ETAG_BUSY
            || !content_etag_shm_owner_alive(slot->owner))
        {
            break;
        }

        /* another process hashes this file: look again shortly */
        apr_global_mutex_unlock(shm->mutex);
        apr_sleep(CONTENT_ETAG_POLL);
    }

    if (slot != NULL && slot->state == CONTENT_ETAG_READY
        && content_etag_key_equal(&slot->key, key)
        && (!slot->racy || since < slot->done))
    {
        memcpy(tag, slot->tag, CONTENT_ETAG_TAG_SIZE);
        *racy = slot->racy;
        slot->used = apr_time_now();
        apr_global_mutex_unlock(shm->mutex);
        return CONTENT_ETAG_HIT;
    }

    /* a new file, another version, or a claim whose owner died */
    if (slot == NULL) {
        slot = content_etag_shm_find(shm, key, 1);

        if (slot == NULL) {
            apr_global_mutex_unlock(shm->mutex);
            return CONTENT_ETAG_NO_ROOM;
        }
    }

    slot->key = *key;
    slot->state = CONTENT_ETAG_BUSY;
    slot->owner = (apr_int32_t)getpid();
    slot->racy = 0;
    slot->used = apr_time_now();

    apr_global_mutex_unlock(shm->mutex);

    return CONTENT_ETAG_CLAIMED;
}


void content_etag_shm_done(content_etag_shm_t *shm,
                           const content_etag_key_t *key, const char *tag,
                           int racy)
{
    content_etag_slot_t  *slot;

    if (apr_global_mutex_lock(shm->mutex) != APR_SUCCESS) {
        return;
    }

    slot = content_etag_shm_find(shm, key, 0);

    if (slot != NULL && slot->state == CONTENT_ETAG_BUSY
        && slot->owner == (apr_int32_t)getpid()
        && content_etag_key_equal(&slot->key, key))
    {
        if (tag == NULL) {
            slot->state = CONTENT_ETAG_EMPTY;
        }
        else {
            memcpy(slot->tag, tag, CONTENT_ETAG_TAG_SIZE);
            slot->racy = racy ? 1 : 0;
            slot->done = apr_time_now();
            slot->state = CONTENT_ETAG_READY;
        }
    }

    apr_global_mutex_unlock(shm->mutex);
}


/*
 * The slot of the file (device, inode) in its window; with `for_new`, a
 * slot for it: an empty one, else the least recently used that is not
 * being hashed by a live process. Called locked.
 */
static content_etag_slot_t *content_etag_shm_find(content_etag_shm_t *shm,
                                                  const content_etag_key_t *key,
                                                  int for_new)
{
    apr_size_t            i, start;
    apr_uint64_t          h;
    content_etag_slot_t  *slot, *oldest;

    /* a 64-bit mix of the two numbers (splitmix64's finaliser) */
    h = key->dev * 0x9e3779b97f4a7c15ULL ^ key->ino;
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
    h ^= h >> 31;

    start = (apr_size_t)(h % shm->count);
    oldest = NULL;

    for (i = 0; i < CONTENT_ETAG_PROBE && i < shm->count; i++) {
        slot = &shm->slots[(start + i) % shm->count];

        if (!for_new) {
            if (slot->state != CONTENT_ETAG_EMPTY
                && slot->key.dev == key->dev && slot->key.ino == key->ino)
            {
                return slot;
            }
            continue;
        }

        if (slot->state == CONTENT_ETAG_EMPTY) {
            return slot;
        }

        if (slot->state == CONTENT_ETAG_BUSY
            && content_etag_shm_owner_alive(slot->owner))
        {
            continue;
        }

        if (oldest == NULL || slot->used < oldest->used) {
            oldest = slot;
        }
    }

    return oldest;
}


/*
 * kill(pid, 0) succeeds for a live child: the children share one user.
 * ESRCH (gone) or EPERM (the pid now belongs to another user's process)
 * means the claim's owner died.
 */
static int content_etag_shm_owner_alive(apr_int32_t pid)
{
    return kill((pid_t)pid, 0) == 0;
}
