/* The console's file paths (services/gateway/web.c): which request paths
 * name a file, in which tree, and which are refused before the file system
 * sees them; and the content types. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "web.h"

static void s_accepts(const char *path, const char *rel, web_tree_t tree)
{
    char got[256];
    web_tree_t t = WEB_ROOT + 7;
    assert_int_equal(web_resolve(path, got, sizeof got, &t), 0);
    assert_string_equal(got, rel);
    assert_int_equal(t, tree);
}

static void test_files_of_the_console_and_the_vendor_libraries(void **state)
{
    (void) state;
    s_accepts("/", "index.html", WEB_ROOT);
    s_accepts("/index.html", "index.html", WEB_ROOT);
    s_accepts("/js/pages/queue.js", "js/pages/queue.js", WEB_ROOT);
    s_accepts("/vendor/leaflet/leaflet.js", "leaflet/leaflet.js", WEB_VENDOR);
    s_accepts("/vendor/leaflet/images/marker-icon.png", "leaflet/images/marker-icon.png", WEB_VENDOR);
    s_accepts("/vendor/chart.js/chart.min.js", "chart.js/chart.min.js", WEB_VENDOR);
}

static void test_traversal_and_hidden_files_are_refused(void **state)
{
    (void) state;
    const char *bad[] = {
        "", "index.html", "/..", "/../etc/passwd", "/js/../../etc/passwd", "/./index.html",
        "/js//main.js", "/js/", "/.git/config", "/js/.hidden.js", "/vendor/leaflet/../../x.js",
        "/vendor/jquery/jquery.js", "/vendor/leaflet", "/vendor/leafletx/a.js", "/vendor/",
        "/a\\b.js", "/a%2e.js", "/a b.js", "/a:b.js", "/\xe4\xb8\xad.js", NULL,
    };
    char got[256];
    web_tree_t t;
    for (int i = 0; bad[i]; i++) {
        if (web_resolve(bad[i], got, sizeof got, &t) != -1)
            fail_msg("accepted \"%s\"", bad[i]);
    }
    assert_int_equal(web_resolve(NULL, got, sizeof got, &t), -1);
    char longseg[300];
    memset(longseg, 'a', sizeof longseg - 4);
    longseg[0] = '/';
    strcpy(longseg + sizeof longseg - 4, ".js");
    assert_int_equal(web_resolve(longseg, got, sizeof got, &t), -1); /* a segment over 255 */
    assert_int_equal(web_resolve("/js/main.js", got, 5, &t), -1);     /* no room: refused, not cut */
}

static void test_content_types(void **state)
{
    (void) state;
    assert_string_equal(web_type("index.html"), "text/html; charset=utf-8");
    assert_string_equal(web_type("js/main.js"), "text/javascript; charset=utf-8");
    assert_string_equal(web_type("leaflet/leaflet.css"), "text/css; charset=utf-8");
    assert_string_equal(web_type("leaflet/images/layers.png"), "image/png");
    assert_null(web_type("leaflet/leaflet.css.map")); /* not served */
    assert_null(web_type("js/noext"));
    assert_null(web_type("a.d/noext"));
    assert_null(web_type("x.sh"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files_of_the_console_and_the_vendor_libraries),
        cmocka_unit_test(test_traversal_and_hidden_files_are_refused),
        cmocka_unit_test(test_content_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
