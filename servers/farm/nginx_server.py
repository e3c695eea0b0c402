"""The nginx backend of the shared harness: Debian's nginx with ngx_http_content_etag_module.

Config levels: None (the default) is inside the `server` block, "http" is at http level.
`http2=True`: `listen ... http2` without TLS, which nginx 1.22 takes as HTTP/2 over cleartext
with prior knowledge only (an HTTP/1.1 request on that port is a connection error).
`valgrind=True`: one process (`master_process off`) under memcheck, nginx's known errors
suppressed by servers/nginx/valgrind.supp.
"""
import os
import shutil

import memcheck
from harness import ROOT, Server

MODULE = os.environ.get("ETAGCORE_NGINX_MODULE") or os.path.join(
    ROOT, "target", "nginx", "ngx_http_content_etag_module.so")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SUPPRESSIONS = os.path.join(ROOT, "servers", "nginx", "valgrind.supp")


class Nginx(Server):
    name = "nginx"
    # What turns the module on for a whole server, and a location whose responses gzip on the
    # fly (the vectors' weak resource tags).
    MODULE_ON = "content_etag on;"
    GZIP_LOCATION = "location /weak/ { gzip on; gzip_types text/plain; gzip_min_length 1; }"
    # nginx 1.22 answers 400 to a second If-Match / If-None-Match / ... field line.
    REPEATED_CONDITION_LINES = False
    # The buffering mode (vectors.py --buffered): the same files through a location that
    # proxies to this server, each response held and tagged by content_etag_buffer. The
    # upstream request carries no condition, range or Accept-Encoding, so this location alone
    # decides, gzips (the weak rows) and serves ranges.
    BUFFERED_PREFIX = "/dyn"
    BUFFERED_LOCATION = (
        "location /dyn/ { content_etag_buffer 64k; content_etag_upstream replace; "
        "gzip on; gzip_types text/plain; gzip_min_length 1; proxy_force_ranges on; "
        + " ".join(f'proxy_set_header {h} "";' for h in (
            "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "If-Range",
            "Range", "Accept-Encoding"))
        + " rewrite ^/dyn/(.*)$ /$1 break; proxy_pass http://127.0.0.1:$server_port; }")

    def __init__(self, server_conf="", http_conf="", tls=None, **kw):
        """`tls`: (certificate file, key file) to listen with TLS instead of plain HTTP."""
        config = kw.pop("config", None) or {None: server_conf, "http": http_conf}
        super().__init__(config, **kw)
        self.tls = tls

    @property
    def pidfile(self):
        return os.path.join(self.prefix, "nginx.pid")

    def command(self):
        nginx = [NGINX, "-p", self.prefix, "-c", os.path.join(self.prefix, "nginx.conf"),
                 "-e", self.error_log()]
        if self.valgrind:
            return memcheck.command(self.prefix, [SUPPRESSIONS]) + nginx
        return nginx

    def config_text(self):
        load = f"load_module {MODULE};" if self.module else ""
        p = self.prefix
        listen = " ".join([f"127.0.0.1:{self.port}"] + (["ssl"] if self.tls else [])
                          + (["http2"] if self.http2 else []))
        # under valgrind one process serves the requests: the one we start and signal, so its
        # log is complete (ERROR SUMMARY written) when stop() returns; a worker would exit later
        master = "off" if self.valgrind else "on"
        return f"""{load}
daemon off;
master_process {master};
worker_processes {self.workers};
pid {self.pidfile};
error_log {self.error_log()} info;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    default_type application/octet-stream;
    types {{ text/plain txt; text/html html; application/javascript js; text/css css; }}
    client_body_temp_path {p}/body;
    proxy_temp_path {p}/proxy;
    fastcgi_temp_path {p}/fastcgi;
    uwsgi_temp_path {p}/uwsgi;
    scgi_temp_path {p}/scgi;
    {self.level("http")}
    server {{
        listen {listen};
        {f"ssl_certificate {self.tls[0]}; ssl_certificate_key {self.tls[1]};" if self.tls else ""}
        root {self.docroot};
        {self.level(None)}
    }}
}}
"""

    def stock_etag(self, path):
        """nginx's own ETag: "<mtime hex>-<size hex>"."""
        st = os.stat(path)
        return '"%x-%x"' % (int(st.st_mtime), st.st_size)
