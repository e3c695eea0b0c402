"""The Apache backend of the shared harness: Debian's apache2 (httpd 2.4) with mod_content_etag.

Each instance has its own config file (PREFIX/apache.conf): ServerRoot the prefix, `Listen
127.0.0.1:PORT`, its PidFile, DefaultRuntimeDir and ErrorLog in the prefix, `LogLevel info`
(the module's `content_etag: hashed` lines are at info), children as www-data, and the modules
the cases use, loaded from /usr/lib/apache2/modules when present (see MODULES). Started in the
foreground (`apache2 -f CONF -d PREFIX -DFOREGROUND`: the master is the process spawned, and
writes its PID to the PidFile), stopped by SIGTERM (SIGQUIT would kill it at once).

Config levels, where a case's `--- config apache [LEVEL]` text goes:
    None (default)  server level, after DocumentRoot and the docroot's <Directory> section (so
                    `<Location>`, `<Directory>`, `Alias`, `ErrorDocument`, `RewriteRule`, ... are
                    server-level directives; a <Directory "{docroot}"> there merges with ours)
    "dir"           inside `<Directory "{docroot}">`, after `Require all granted` (per-directory
                    rewrite rules, `Options +MultiViews`, `AllowOverride FileInfo`, ...)
    "top"           before the MPM's settings and the modules' (a `LoadModule` the list lacks,
                    `Mutex`, ...)

`mpm`: "event" (Debian's default, threaded) or "prefork"; $ETAGCORE_APACHE_MPM changes the
default. `workers`: child processes (StartServers = ServerLimit), each with 16 threads under
event. The module's tag cache is per child: a case counting hashes keeps one child.
`http2=True`: mod_http2 with `Protocols h2c http/1.1` (prior knowledge: curl's first bytes are
the HTTP/2 preface, which mod_http2 takes on a cleartext port; HTTP/1.1 still works there).
mod_http2 needs a threaded MPM, so http2 with prefork is refused.
`valgrind=True`: `-X` (one process, the master serving the requests itself) under memcheck, with
servers/apache/valgrind.supp.
`module=False`: stock Apache, no LoadModule of mod_content_etag; a `ContentETag` line in the
config is then an error, as in a real Apache (stock_deviations.py drops those lines itself).
"""
import os
import shutil
import signal

import memcheck
from harness import ROOT, Server

MODULE = os.environ.get("ETAGCORE_APACHE_MODULE") or os.path.join(
    ROOT, "target", "apache", "mod_content_etag.so")
APACHE = shutil.which("apache2") or "/usr/sbin/apache2"
MODULES_DIR = "/usr/lib/apache2/modules"
SUPPRESSIONS = os.path.join(ROOT, "servers", "apache", "valgrind.supp")
# Loaded in this order when the .so exists (the MPM and http2 are added by config_text). Each
# is inert until a config uses it: a filter until SetOutputFilter / AddOutputFilterByType, a
# handler until SetHandler, negotiation until Options MultiViews, mod_cache until CacheEnable.
MODULES = ["authz_core", "authz_host", "mime", "alias", "dir", "autoindex", "rewrite",
           "headers", "expires", "setenvif", "filter", "deflate", "brotli", "negotiation",
           "include", "status", "substitute", "socache_shmcb", "cache", "cache_socache",
           "proxy", "proxy_http"]
MPMS = ("event", "prefork")


class Apache(Server):
    name = "apache"
    stop_signal = signal.SIGTERM  # SIGTERM: stop (children first); SIGWINCH: graceful stop
    # What turns the module on for a whole server, and a location whose responses are deflated
    # on the fly (the vectors' weak resource tags: mod_deflate unsets Content-Length).
    MODULE_ON = "ContentETag On"
    GZIP_LOCATION = ("<Location /weak/>\n    SetOutputFilter DEFLATE\n</Location>")
    # httpd takes repeated field lines and merges them with ", " before any module sees them
    # (vectors.py keeps out the rows whose merged value would mean something else).
    REPEATED_CONDITION_LINES = True
    MERGES_FIELD_LINES = True

    def __init__(self, server_conf="", dir_conf="", mpm=None, **kw):
        config = kw.pop("config", None) or {None: server_conf, "dir": dir_conf}
        super().__init__(config, **kw)
        self.mpm = mpm or os.environ.get("ETAGCORE_APACHE_MPM") or "event"
        if self.mpm not in MPMS:
            raise ValueError(f"mpm {self.mpm!r}: one of {', '.join(MPMS)}")
        if self.http2 and self.mpm == "prefork":
            raise ValueError("mod_http2 needs a threaded MPM: HTTP/2 with prefork is not run")
        os.makedirs(os.path.join(self.prefix, "run"))

    @property
    def pidfile(self):
        return os.path.join(self.prefix, "run", "apache.pid")

    def command(self):
        apache = [APACHE, "-f", os.path.join(self.prefix, "apache.conf"), "-d", self.prefix,
                  "-DFOREGROUND"]
        if self.valgrind:
            return memcheck.command(self.prefix, [SUPPRESSIONS]) + apache + ["-X"]
        return apache

    def load_modules(self):
        names = [f"mpm_{self.mpm}"] + MODULES + (["http2"] if self.http2 else [])
        lines = []
        for name in names:
            path = os.path.join(MODULES_DIR, f"mod_{name}.so")
            if os.path.exists(path):
                lines.append(f"LoadModule {name}_module {path}")
            elif name.startswith("mpm_") or name in ("authz_core", "mime", "http2"):
                raise RuntimeError(f"{path} is missing: install apache2")
        if self.module:
            lines.append(f"LoadModule content_etag_module {MODULE}")
        return "\n".join(lines)

    def mpm_settings(self):
        n = self.workers
        if self.mpm == "prefork":
            return f"""StartServers {n}
ServerLimit {n}
MinSpareServers 1
MaxSpareServers {n}
MaxRequestWorkers {n}"""
        return f"""StartServers {n}
ServerLimit {n}
ThreadsPerChild 16
MaxRequestWorkers {16 * n}
MinSpareThreads 1
MaxSpareThreads {16 * n}"""

    def config_text(self):
        p = self.prefix
        protocols = "Protocols h2c http/1.1" if self.http2 else ""
        return f"""# written by servers/farm/apache_server.py
ServerRoot {p}
{self.level("top")}
{self.load_modules()}
{self.mpm_settings()}
MaxConnectionsPerChild 0
Listen 127.0.0.1:{self.port}
ServerName 127.0.0.1:{self.port}
PidFile {self.pidfile}
DefaultRuntimeDir {p}/run
Mutex file:{p}/run default
ErrorLog {self.error_log()}
LogLevel info
User www-data
Group www-data
TypesConfig /etc/mime.types
{protocols}
DocumentRoot "{self.docroot}"
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory "{self.docroot}">
    AllowOverride None
    Require all granted
    {self.level("dir")}
</Directory>
{self.level(None)}
"""

    def stock_etag(self, path):
        """Apache's own ETag under its default `FileETag MTime Size`: "<size>-<mtime>" in
        lowercase hex, the mtime in microseconds. Made weak (W/) by Apache when the file changed
        less than a second before the request: not modelled here."""
        st = os.stat(path)
        return '"%x-%x"' % (st.st_size, st.st_mtime_ns // 1000)
