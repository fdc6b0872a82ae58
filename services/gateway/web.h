/* web: the console's files (web/ in the repository) and the two JavaScript
 * libraries it uses from Debian's packages (libjs-leaflet, libjs-chart.js),
 * served by the gateway so that nothing a browser loads comes from outside
 * the deployment. Every path outside /api/ and /open311/ comes here.
 *
 *   /                     -> ROOT/index.html
 *   /a/b.js               -> ROOT/a/b.js
 *   /vendor/leaflet/x     -> VENDOR/leaflet/x   (Debian: /usr/share/javascript)
 *   /vendor/chart.js/x    -> VENDOR/chart.js/x
 *
 * Only regular files with a known extension are served, each with its
 * content type; a directory is 404 (no listing). A path is refused before
 * the file system sees it unless every segment is 1 to 255 of
 * [A-Za-z0-9._-] not starting with a dot, so "..", hidden files, encoded
 * slashes and NULs never reach open(); a file under ROOT must also resolve
 * (symlinks followed) inside ROOT. The console's files are revalidated on
 * every load (Cache-Control: no-cache, with an ETag of size and mtime, 304
 * when unchanged) so an upgrade shows at once; the vendor files, which change
 * only with a package upgrade, are kept a day. */
#ifndef GOV_GATEWAY_WEB_H
#define GOV_GATEWAY_WEB_H

#include <stddef.h>

#include "http.h"

typedef struct web web_t;

/* Which tree a path is in, once web_resolve accepted it. */
typedef enum { WEB_ROOT = 0, WEB_VENDOR = 1 } web_tree_t;

/* Serves ROOT (the console) and VENDOR (Debian's /usr/share/javascript).
 * `root` NULL: found beside the binary (../../web from build/bin or
 * ../../../web from build/asan/bin, as in the repository, or
 * ../share/gov/web when installed); when it is not there, the gateway
 * serves the API only (a warning; the console's paths are 404). Returns 0
 * and sets `*out`, or -1 after logging (a given root that is not a folder). */
int web_new(const char *root, const char *vendor, web_t **out);

/* Frees; NULLs the caller's pointer; safe on NULL. */
void web_destroy(web_t **self_p);

/* Pure: the file a request path names, relative to its tree, written to
 * `rel` (at most `cap` bytes with the NUL), and the tree in `*tree`.
 * Returns 0, or -1 for any path that is refused (404): a bad character, an
 * empty, "." or ".." or dot-leading segment, too long, a vendor library other
 * than leaflet and chart.js. "/" names index.html. */
int web_resolve(const char *path, char *rel, size_t cap, web_tree_t *tree);

/* Pure: the content type for a file name by its extension, or NULL when
 * the gateway does not serve that kind of file. */
const char *web_type(const char *name);

/* Answers a GET or HEAD for `req->path`: the file, 304, 404 or 405. */
void web_serve(const web_t *self, const http_req_t *req, http_res_t *res);

#endif
