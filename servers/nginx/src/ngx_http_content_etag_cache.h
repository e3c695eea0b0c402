/*
 * Content tags of files, hashed with etagcore and cached per worker process.
 */

#ifndef _NGX_HTTP_CONTENT_ETAG_CACHE_H_INCLUDED_
#define _NGX_HTTP_CONTENT_ETAG_CACHE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>

#include <etagcore.h>


/*
 * Writes the strong content tag of the open file fd into tag (ETAGCORE_CONTENT_TAG_LEN bytes).
 * A worker hashes a file again only when its key changes: device, inode, size, and mtime and
 * ctime to the nanosecond (an in-place rewrite within the same second changes ctime).
 *
 * Returns NGX_OK; NGX_DECLINED when the file is larger than max_size or changed while it was
 * read (the caller then leaves the response to nginx); NGX_ERROR on a read error.
 */
ngx_int_t ngx_http_content_etag_file_tag(ngx_fd_t fd, off_t max_size, ngx_log_t *log,
    u_char *tag);


#endif /* _NGX_HTTP_CONTENT_ETAG_CACHE_H_INCLUDED_ */
