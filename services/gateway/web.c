#include "web.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

#define WEB_MAX_FILE (8u << 20) /* the largest file served: Chart.js is ~200 KB */

struct web {
    char root[PATH_MAX];   /* realpath of the console's folder */
    char vendor[PATH_MAX]; /* Debian's /usr/share/javascript */
};

static const char *const s_types[][2] = {
    {".html", "text/html; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".json", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
};

/* The libraries served under /vendor/, by their Debian folder names. */
static const char *const s_vendor_libs[] = {"leaflet", "chart.js"};

const char *web_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    const char *slash = strrchr(name, '/');
    if (!dot || (slash && dot < slash))
        return NULL;
    for (size_t i = 0; i < sizeof s_types / sizeof *s_types; i++)
        if (strcmp(dot, s_types[i][0]) == 0)
            return s_types[i][1];
    return NULL;
}

/* 1 when every segment of `p` (no leading slash) is 1..255 of
 * [A-Za-z0-9._-], not starting with a dot. */
static int s_clean(const char *p)
{
    size_t seg = 0;
    for (;; p++) {
        if (*p == '/' || *p == '\0') {
            if (seg == 0)
                return 0;
            if (*p == '\0')
                return 1;
            seg = 0;
            continue;
        }
        int ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                 *p == '_' || *p == '-' || (*p == '.' && seg > 0);
        if (!ok || ++seg > 255)
            return 0;
    }
}

int web_resolve(const char *path, char *rel, size_t cap, web_tree_t *tree)
{
    if (!path || path[0] != '/')
        return -1;
    const char *p = path + 1;
    *tree = WEB_ROOT;
    if (*p == '\0')
        p = "index.html";
    if (strncmp(p, "vendor/", 7) == 0) {
        p += 7;
        int known = 0;
        for (size_t i = 0; i < sizeof s_vendor_libs / sizeof *s_vendor_libs; i++) {
            size_t n = strlen(s_vendor_libs[i]);
            if (strncmp(p, s_vendor_libs[i], n) == 0 && p[n] == '/')
                known = 1;
        }
        if (!known)
            return -1;
        *tree = WEB_VENDOR;
    }
    if (!s_clean(p) || strlen(p) >= cap || strlen(p) > 1024)
        return -1;
    strcpy(rel, p);
    return 0;
}

/* The folder beside the binary, when `root` is not given. */
static int s_default_root(char *out)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return -1;
    *slash = '\0';
    /* build/bin, build/asan/bin (the repository's builds), an installed bin */
    const char *tries[] = {"/../../web", "/../../../web", "/../share/gov/web"};
    for (size_t i = 0; i < sizeof tries / sizeof *tries; i++) {
        char cand[PATH_MAX + 32];
        snprintf(cand, sizeof cand, "%s%s", exe, tries[i]);
        if (realpath(cand, out))
            return 0;
    }
    return -1;
}

int web_new(const char *root, const char *vendor, web_t **out)
{
    web_t *self = calloc(1, sizeof *self);
    if (!self)
        return -1;
    struct stat st;
    snprintf(self->vendor, sizeof self->vendor, "%s", vendor ? vendor : "/usr/share/javascript");
    if (!root && s_default_root(self->root) != 0) {
        /* An API-only gateway: the console's paths are 404. */
        log_warn("no console: web/ was not found beside the binary (set GOV_GATEWAY_WEB_DIR)");
        self->root[0] = '\0';
        *out = self;
        return 0;
    }
    if (root && !realpath(root, self->root)) {
        log_error("GOV_GATEWAY_WEB_DIR %s was not found", root);
        goto fail;
    }
    if (stat(self->root, &st) != 0 || !S_ISDIR(st.st_mode)) {
        log_error("GOV_GATEWAY_WEB_DIR %s is not a folder", self->root);
        goto fail;
    }
    log_info("console from %s, libraries from %s", self->root, self->vendor);
    *out = self;
    return 0;
fail:
    free(self);
    return -1;
}

void web_destroy(web_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free(*self_p);
    *self_p = NULL;
}

static void s_not_found(http_res_t *res, const char *path)
{
    http_refuse(res, 404, "NO_ROUTE", path);
}

void web_serve(const web_t *self, const http_req_t *req, http_res_t *res)
{
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
        http_refuse(res, 405, "NO_ROUTE", req->method);
        return;
    }
    char rel[1100], full[PATH_MAX * 2], real[PATH_MAX];
    web_tree_t tree;
    const char *type;
    if (!self || web_resolve(req->path, rel, sizeof rel, &tree) != 0 || !(type = web_type(rel)) ||
        (tree == WEB_ROOT && !self->root[0])) {
        s_not_found(res, req->path);
        return;
    }
    snprintf(full, sizeof full, "%s/%s", tree == WEB_VENDOR ? self->vendor : self->root, rel);
    if (tree == WEB_ROOT) { /* a symlink in the console's folder stays inside it */
        size_t n = strlen(self->root);
        if (!realpath(full, real) || strncmp(real, self->root, n) != 0 || real[n] != '/') {
            s_not_found(res, req->path);
            return;
        }
    }
    int fd = open(full, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > WEB_MAX_FILE) {
        if (fd >= 0)
            close(fd);
        s_not_found(res, req->path);
        return;
    }
    snprintf(res->etag, sizeof res->etag, "\"%llx-%llx\"", (unsigned long long) st.st_size,
             (unsigned long long) st.st_mtim.tv_sec * 1000000000ull + (unsigned long long) st.st_mtim.tv_nsec);
    res->cache_control = tree == WEB_VENDOR ? "public, max-age=86400" : "no-cache";
    res->type = type;
    const char *inm = http_header(req, "If-None-Match");
    if (inm && strcmp(inm, res->etag) == 0) {
        close(fd);
        res->status = 304;
        res->body = calloc(1, 1);
        res->body_len = 0;
        return;
    }
    char *body = malloc((size_t) st.st_size + 1);
    size_t got = 0;
    while (body && got < (size_t) st.st_size) {
        ssize_t n = read(fd, body + got, (size_t) st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t) n;
    }
    close(fd);
    if (!body || got != (size_t) st.st_size) {
        free(body);
        res->etag[0] = '\0';
        res->cache_control = NULL;
        res->type = NULL;
        http_refuse(res, 500, "INTERNAL", "reading a file of the console");
        return;
    }
    res->status = 200;
    res->body = body;
    res->body_len = got;
}
