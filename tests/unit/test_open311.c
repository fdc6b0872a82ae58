/* Open311 in the gateway: the pure parts — georeport (our cases in GeoReport
 * v2's words: statuses, W3C datetimes in Beijing time, ranges, paths, the
 * request and update fields, no personal data), xml (the writer: escaping,
 * the characters XML 1.0 forbids, the Spark mapping of lists) and form
 * (URL-encoded bodies). The resources themselves run against real services
 * in tests/cli/test_open311.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "form.h"
#include "georeport.h"
#include "xml.h"

/* `v` as compact JSON, compared with `want`; frees `v`. */
static void s_json_is(json_t *v, const char *want)
{
    assert_non_null(v);
    char *s = json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(12));
    assert_non_null(s);
    assert_string_equal(s, want);
    free(s);
    json_decref(v);
}

/* --- status and time ---------------------------------------------------------- */

static void test_status(void **state)
{
    (void) state;
    assert_string_equal(georeport_status("open"), "open");
    assert_string_equal(georeport_status("dispatched"), "open");
    assert_string_equal(georeport_status("resolved"), "closed");
    assert_string_equal(georeport_status("closed"), "closed");
    assert_string_equal(georeport_status("anything else"), "open");
    assert_string_equal(georeport_status(NULL), "open");
}

static void test_time_is_beijing_w3c(void **state)
{
    (void) state;
    char t[GEOREPORT_TIME_LEN];
    georeport_time(0, t);
    assert_string_equal(t, "1970-01-01T08:00:00+08:00");
    georeport_time(1291234567890, t); /* the milliseconds are dropped */
    assert_string_equal(t, "2010-12-02T04:16:07+08:00");
    georeport_time(1796198400000, t); /* midnight UTC is 08:00 in Beijing */
    assert_string_equal(t, "2026-12-02T16:00:00+08:00");
}

static void test_parse_time(void **state)
{
    (void) state;
    int64_t ms = 0;
    /* the specification's examples: the same instant */
    assert_int_equal(georeport_parse_time("1994-11-05T08:15:30-05:00", &ms), 0);
    assert_int_equal(ms, 784041330000);
    assert_int_equal(georeport_parse_time("1994-11-05T13:15:30Z", &ms), 0);
    assert_int_equal(ms, 784041330000);
    assert_int_equal(georeport_parse_time("1994-11-05T21:15:30+08:00", &ms), 0);
    assert_int_equal(ms, 784041330000);
    /* an unescaped '+' in a query arrives as a space */
    assert_int_equal(georeport_parse_time("1994-11-05T21:15:30 08:00", &ms), 0);
    assert_int_equal(ms, 784041330000);
    assert_int_equal(georeport_parse_time("1994-11-05T21:15+08:00", &ms), 0);
    assert_int_equal(ms, 784041300000);
    assert_int_equal(georeport_parse_time("1994-11-05T13:15:30.25Z", &ms), 0);
    assert_int_equal(ms, 784041330250);
    /* a date alone: midnight in Beijing */
    assert_int_equal(georeport_parse_time("2026-12-03", &ms), 0);
    assert_int_equal(ms, 1796227200000);
    assert_int_equal(georeport_parse_time("2024-02-29T23:59:59Z", &ms), 0);
    assert_int_equal(ms, 1709251199000);
    const char *bad[] = {"", "yesterday", "2026-12-03T10:00:00", /* no zone */
                         "2026-13-01", "2026-02-29", "2026-04-31", "1900-02-29",
                         "2026-12-03T24:00:00Z", "2026-12-03T10:60Z", "2026-12-03T10:00:61Z",
                         "2026-12-03 10:00:00Z", "2026-12-03T10:00:00Zjunk", "2026-12-03T10:00:00.Z",
                         "2026-12-03T10:00:00+8:00", "2026-12-03T10:00:00+08:60", "26-12-03", NULL};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (georeport_parse_time(bad[i], &ms) != -1)
            fail_msg("\"%s\" was read as a datetime", bad[i] ? bad[i] : "(null)");
}

static void test_time_round_trip(void **state)
{
    (void) state;
    char t[GEOREPORT_TIME_LEN];
    int64_t back;
    for (int64_t ms = 0; ms < 4102444800000; ms += 86399999937) {
        georeport_time(ms, t);
        assert_int_equal(georeport_parse_time(t, &back), 0);
        assert_int_equal(back, ms / 1000 * 1000);
    }
}

static void test_range(void **state)
{
    (void) state;
    const int64_t now = 1796227200000, day = 86400000;
    int64_t since, until;
    apperr_t err = {0};
    /* neither: the last 90 days; end_date is included */
    assert_int_equal(georeport_range(NULL, "", now, &since, &until, &err), 0);
    assert_int_equal(since, now - 90 * day);
    assert_int_equal(until, now + 1);
    /* one: 90 days from or up to it */
    assert_int_equal(georeport_range("2026-12-03", NULL, now, &since, &until, &err), 0);
    assert_int_equal(since, now);
    assert_int_equal(until, now + 90 * day + 1);
    assert_int_equal(georeport_range(NULL, "2026-12-03", now, &since, &until, &err), 0);
    assert_int_equal(since, now - 90 * day);
    /* both, exactly 90 days apart */
    assert_int_equal(georeport_range("2026-09-04T00:00:00+08:00", "2026-12-03T00:00:00+08:00", now,
                                     &since, &until, &err), 0);
    assert_int_equal(until - since, 90 * day + 1);
    assert_int_equal(georeport_range("2026-09-03", "2026-12-03", now, &since, &until, &err), -1);
    assert_string_equal(err.code, "RANGE_TOO_LONG");
    assert_int_equal(georeport_range("2026-12-03", "2026-12-02", now, &since, &until, &err), -1);
    assert_string_equal(err.code, "BAD_DATE");
    assert_int_equal(georeport_range("soon", NULL, now, &since, &until, &err), -1);
    assert_string_equal(err.code, "BAD_DATE");
    assert_non_null(strstr(err.detail, "start_date"));
    assert_int_equal(georeport_range(NULL, "2026-12-03T10:00", now, &since, &until, &err), -1);
    assert_non_null(strstr(err.detail, "end_date"));
}

/* --- paths, ids, names ------------------------------------------------------------ */

static void test_path(void **state)
{
    (void) state;
    char resource[32], arg[128];
    int xml = -1;
    assert_int_equal(georeport_path("services.xml", resource, arg, &xml), 0);
    assert_string_equal(resource, "services");
    assert_string_equal(arg, "");
    assert_int_equal(xml, 1);
    /* our service codes hold a dot: only the last suffix is the format */
    assert_int_equal(georeport_path("services/complaint.noise.json", resource, arg, &xml), 0);
    assert_string_equal(resource, "services");
    assert_string_equal(arg, "complaint.noise");
    assert_int_equal(xml, 0);
    assert_int_equal(georeport_path("requests/638344.xml", resource, arg, &xml), 0);
    assert_string_equal(arg, "638344");
    const char *bad[] = {"services", "services.html", "services.json.txt", ".json", "services/.json",
                         "a/b/c.json", "/services.json",
                         "a-resource-name-longer-than-thirty-one-bytes.json"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (georeport_path(bad[i], resource, arg, &xml) != -1)
            fail_msg("\"%s\" was read as a resource", bad[i]);
}

static void test_id(void **state)
{
    (void) state;
    int64_t id = 0;
    assert_int_equal(georeport_id("638344", &id), 0);
    assert_int_equal(id, 638344);
    const char *bad[] = {"", "0", "-1", "+1", " 1", "1 ", "1x", "abc", "99999999999999999999", NULL};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (georeport_id(bad[i], &id) != -1)
            fail_msg("\"%s\" was read as an id", bad[i] ? bad[i] : "(null)");
}

static void test_reporter_name(void **state)
{
    (void) state;
    char *n = georeport_reporter_name("john", "smith");
    assert_string_equal(n, "john smith");
    free(n);
    n = georeport_reporter_name("雷", "李"); /* family name first, no space */
    assert_string_equal(n, "李雷");
    free(n);
    n = georeport_reporter_name("", "smith");
    assert_string_equal(n, "smith");
    free(n);
    n = georeport_reporter_name("john", NULL);
    assert_string_equal(n, "john");
    free(n);
    assert_null(georeport_reporter_name(NULL, ""));
}

static void test_endpoint_url(void **state)
{
    (void) state;
    char url[300];
    georeport_endpoint_url("gov.example.cn:8080", 0, url);
    assert_string_equal(url, "http://gov.example.cn:8080/open311/v2");
    georeport_endpoint_url("[::1]", 1, url);
    assert_string_equal(url, "https://[::1]/open311/v2");
    georeport_endpoint_url("evil.example/<script>", 0, url);
    assert_string_equal(url, "/open311/v2");
    georeport_endpoint_url(NULL, 0, url);
    assert_string_equal(url, "/open311/v2");
}

/* --- services and requests ----------------------------------------------------------- */

static void test_service(void **state)
{
    (void) state;
    georeport_category_t c = {"complaint.noise", "投诉·噪声扰民", "complaint", "noise", "噪声扰民"};
    s_json_is(georeport_service(&c),
              "{\"service_code\":\"complaint.noise\",\"service_name\":\"投诉·噪声扰民\","
              "\"description\":\"投诉·噪声扰民\",\"metadata\":false,\"type\":\"realtime\","
              "\"keywords\":\"noise, 噪声扰民\",\"group\":\"complaint\"}");
}

static void test_filed(void **state)
{
    (void) state;
    s_json_is(georeport_filed(293944, 0),
              "{\"service_request_id\":293944,\"service_notice\":\"已受理，工单号 293944，"
              "将派至责任单位办理\",\"account_id\":null}");
    s_json_is(georeport_filed(7, 1), "{\"service_request_id\":7,\"service_notice\":\"已并入附近同类"
                                     "工单 7，合并办理\",\"account_id\":null}");
}

static void test_event_text_and_status(void **state)
{
    (void) state;
    static const struct {
        georeport_event_t e;
        const char *text, *status;
    } cases[] = {
        {{"sent", 1, "城管", "", "", "", 0}, "已派至城管办理", "open"},
        {{"signed", 1, "城管", "", "", "", 0}, "城管已签收", "open"},
        {{"contacted", 1, "城管", "", "", "", 0}, "城管已联系诉求人", "open"},
        {{"arrived", 1, "城管", "", "", "", 0}, "城管已到达现场", "open"},
        {{"progress", 1, "城管", "已到现场核实", "", "", 0}, "城管办理中：已到现场核实", "open"},
        {{"resolved", 1, "城管", "已责令停工", "", "", 0}, "城管已办结：已责令停工", "closed"},
        /* an assisting unit's resolution does not close the case */
        {{"resolved", 0, "水务", "", "", "", 0}, "水务已办结", "open"},
        {{"returned", 1, "水务", "不归我们管", "function", "", 0}, "水务退回（职能不符）：不归我们管", "open"},
        {{"reassigned", 1, "水务", "", "", "", 0}, "已从水务改派", "open"},
        {{"released", 0, "公安", "", "", "", 0}, "公安已完成协同", "open"},
        {{"evaluated", 1, "城管", "", "", "satisfied", 0}, "回访评价：满意", "closed"},
        {{"evaluated", 1, "城管", "", "", "basic", 0}, "回访评价：基本满意", "closed"},
        /* dissatisfied reopens the case */
        {{"evaluated", 1, "城管", "", "", "dissatisfied", 0}, "回访评价：不满意", "open"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *t = georeport_event_text(&cases[i].e);
        assert_non_null(t);
        if (strcmp(t, cases[i].text) != 0)
            fail_msg("%s: \"%s\", wanted \"%s\"", cases[i].e.action, t, cases[i].text);
        free(t);
        assert_string_equal(georeport_event_status(&cases[i].e), cases[i].status);
    }
}

/* A case as intake answers GetCase, with a reporter and a caller. */
typedef struct {
    Gov__Case c;
    Gov__Location loc;
    Gov__Point pt;
    Gov__Reporter who;
    Gov__AreaRef grid, street, *path[2];
    Gov__Caller caller, *callers[1];
    char *media[1];
} s_case_t;

static void s_case(s_case_t *k)
{
    gov__case__init(&k->c);
    gov__location__init(&k->loc);
    gov__point__init(&k->pt);
    gov__reporter__init(&k->who);
    gov__area_ref__init(&k->grid);
    gov__area_ref__init(&k->street);
    gov__caller__init(&k->caller);
    k->pt.lat = 39.9025, k->pt.lon = 116.3025;
    k->loc.point = &k->pt;
    k->loc.address = "";
    k->who.name = "john smith", k->who.phone = "13800001234";
    k->street.name = "青山街道", k->grid.name = "第1网格";
    k->path[0] = &k->street, k->path[1] = &k->grid;
    k->caller.reporter = &k->who;
    k->caller.description = "call 13800001234";
    k->callers[0] = &k->caller;
    k->media[0] = "http://x.example/1.jpg";
    k->c.id = 42;
    k->c.status = "resolved";
    k->c.channel = "open311";
    k->c.category = "complaint.noise";
    k->c.description = "夜间施工噪音扰民";
    k->c.location = &k->loc;
    k->c.area_path = k->path, k->c.n_area_path = 2;
    k->c.reporter = &k->who;
    k->c.media_urls = k->media, k->c.n_media_urls = 1;
    k->c.caller_count = 1;
    k->c.created_ms = 1796227200000;
    k->c.updated_ms = 1796227260000;
    k->c.callers = k->callers, k->c.n_callers = 1;
}

static void test_request(void **state)
{
    (void) state;
    s_case_t k;
    s_case(&k);
    georeport_event_t last = {"resolved", 1, "城管", "已责令停工", "", "", 1796230800000};
    georeport_progress_t p = {"城管", 1796313600000, &last};
    json_t *r = georeport_request(&k.c, "投诉·噪声扰民", &p);
    char *s = json_dumps(r, JSON_COMPACT | JSON_REAL_PRECISION(12));
    /* no personal data: the reporter's name and phone, the callers */
    assert_null(strstr(s, "13800001234"));
    assert_null(strstr(s, "john"));
    free(s);
    /* the address: the areas, most specific first, when none was written;
     * updated: the later of the case's change and routing's last event */
    s_json_is(r, "{\"service_request_id\":42,\"status\":\"closed\","
                 "\"status_notes\":\"城管已办结：已责令停工\",\"service_name\":\"投诉·噪声扰民\","
                 "\"service_code\":\"complaint.noise\",\"description\":\"夜间施工噪音扰民\","
                 "\"agency_responsible\":\"城管\",\"service_notice\":null,"
                 "\"requested_datetime\":\"2026-12-03T00:00:00+08:00\","
                 "\"updated_datetime\":\"2026-12-03T01:00:00+08:00\","
                 "\"expected_datetime\":\"2026-12-04T00:00:00+08:00\","
                 "\"address\":\"第1网格, 青山街道\",\"address_id\":null,\"zipcode\":null,"
                 "\"lat\":39.9025,\"long\":116.3025,\"media_url\":\"http://x.example/1.jpg\"}");

    /* before routing: no agency, deadline or notes; an address as written; no point */
    k.loc.address = "一街道菜市场";
    k.loc.point = NULL;
    k.c.status = "open";
    k.c.caller_count = 3;
    k.c.n_media_urls = 0;
    georeport_progress_t none = {NULL, 0, NULL};
    s_json_is(georeport_request(&k.c, NULL, &none),
              "{\"service_request_id\":42,\"status\":\"open\",\"status_notes\":null,"
              "\"service_name\":null,\"service_code\":\"complaint.noise\","
              "\"description\":\"夜间施工噪音扰民\",\"agency_responsible\":null,"
              "\"service_notice\":\"共 3 次反映，合并办理\","
              "\"requested_datetime\":\"2026-12-03T00:00:00+08:00\","
              "\"updated_datetime\":\"2026-12-03T00:01:00+08:00\",\"expected_datetime\":null,"
              "\"address\":\"一街道菜市场\",\"address_id\":null,\"zipcode\":null,\"lat\":null,"
              "\"long\":null,\"media_url\":null}");
}

static void test_update(void **state)
{
    (void) state;
    georeport_event_t e = {"evaluated", 1, "城管", "", "", "satisfied", 1796230800000};
    s_json_is(georeport_update("e3", 42, &e, ""),
              "{\"update_id\":\"e3\",\"service_request_id\":42,\"status\":\"closed\","
              "\"updated_datetime\":\"2026-12-03T01:00:00+08:00\","
              "\"description\":\"回访评价：满意\",\"media_url\":\"\"}");
}

/* --- xml --------------------------------------------------------------------------------- */

static const xml_item_t s_items[] = {{"errors", "error"}, {"formats", "format"}};

static void s_xml_is(const char *root, json_t *doc, const char *want)
{
    size_t len = 0;
    char *x = xml_from_json(root, doc, s_items, sizeof s_items / sizeof *s_items, &len);
    json_decref(doc);
    assert_non_null(x);
    assert_int_equal(len, strlen(x));
    const char *decl = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
    assert_memory_equal(x, decl, strlen(decl));
    size_t n = strlen(want);
    if (strncmp(x + strlen(decl), want, n) != 0 || strcmp(x + strlen(decl) + n, "\n") != 0)
        fail_msg("got %s", x + strlen(decl));
    free(x);
}

static void test_xml_escapes(void **state)
{
    (void) state;
    s_xml_is("d", json_pack("{s:s}", "t", "a&b<c>d\"e'f"),
             "<d><t>a&amp;b&lt;c&gt;d&quot;e&apos;f</t></d>");
    /* the characters XML 1.0 forbids are left out; tab, newline, CR stay */
    s_xml_is("d", json_pack("{s:s}", "t", "a\x01" "b\x0b" "c\x1f" "d\te\nf\rg\xef\xbf\xbe" "h\xef\xbf\xbf" "i"),
             "<d><t>abcd\te\nf\rghi</t></d>");
    /* but not what is allowed around them */
    s_xml_is("d", json_pack("{s:s}", "t", "噪声\xef\xbf\xbd\xf0\x9f\x98\x80"),
             "<d><t>噪声\xef\xbf\xbd\xf0\x9f\x98\x80</t></d>");
}

static void test_xml_mapping(void **state)
{
    (void) state;
    /* members in order; lists named by the table; null an empty element */
    s_xml_is("discovery",
             json_pack("{s:s, s:n, s:b, s:I, s:f, s:[s, s]}", "z", "first", "a", "b", 0, "n",
                       (json_int_t) 42, "lat", 39.9025, "formats", "text/xml", "application/json"),
             "<discovery><z>first</z><a/><b>false</b><n>42</n><lat>39.9025</lat>"
             "<formats><format>text/xml</format><format>application/json</format></formats>"
             "</discovery>");
    s_xml_is("errors", json_pack("[{s:s, s:s}]", "code", "API_KEY_REQUIRED", "description", "x"),
             "<errors><error><code>API_KEY_REQUIRED</code><description>x</description></error>"
             "</errors>");
    s_xml_is("errors", json_array(), "<errors></errors>");
    /* a list the table does not name is the programmer's mistake: no answer */
    size_t len;
    json_t *doc = json_pack("{s:[i]}", "unnamed", 1);
    assert_null(xml_from_json("d", doc, s_items, 2, &len));
    json_decref(doc);
}

/* --- form ---------------------------------------------------------------------------------- */

static void test_form(void **state)
{
    (void) state;
    form_t f;
    char why[96];
    const char *body = "api_key=xyz&description=A+large+sinkhole%21&&email=smit333%40sfgov.edu"
                       "&attribute[WHISPAWN]=123456&flag&media_url=a&media_url=b&%E5%90%8D=%E6%9D%8E";
    assert_int_equal(form_parse(body, strlen(body), &f, why), 0);
    assert_int_equal(f.n, 8);
    assert_string_equal(form_get(&f, "api_key"), "xyz");
    assert_string_equal(form_get(&f, "description"), "A large sinkhole!");
    assert_string_equal(form_get(&f, "email"), "smit333@sfgov.edu");
    assert_string_equal(form_get(&f, "attribute[WHISPAWN]"), "123456");
    assert_string_equal(form_get(&f, "flag"), "");
    assert_string_equal(form_get(&f, "media_url"), "a"); /* the first */
    assert_string_equal(f.fields[6].value, "b");
    assert_string_equal(form_get(&f, "名"), "李");
    assert_null(form_get(&f, "phone"));
    form_clear(&f);
    form_clear(&f); /* twice is safe */

    assert_int_equal(form_parse("", 0, &f, why), 0);
    assert_int_equal(f.n, 0);
    form_clear(&f);

    const char *bad[] = {"a=%zz", "a=%4", "a=%", "a=x%00y", "%00=1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (form_parse(bad[i], strlen(bad[i]), &f, why) != -1)
            fail_msg("\"%s\" was read as a form", bad[i]);
        assert_true(why[0]);
        assert_null(f.store);
        form_clear(&f);
    }
    assert_int_equal(form_parse("a=1\0b=2", 7, &f, why), -1); /* a NUL in the body */
    form_clear(&f);

    char many[FORM_FIELDS_MAX * 4 + 8] = "";
    for (int i = 0; i <= FORM_FIELDS_MAX; i++)
        strcat(many, "a=1&");
    assert_int_equal(form_parse(many, strlen(many), &f, why), -1);
    assert_non_null(strstr(why, "more than"));
    form_clear(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_time_is_beijing_w3c),
        cmocka_unit_test(test_parse_time),
        cmocka_unit_test(test_time_round_trip),
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_path),
        cmocka_unit_test(test_id),
        cmocka_unit_test(test_reporter_name),
        cmocka_unit_test(test_endpoint_url),
        cmocka_unit_test(test_service),
        cmocka_unit_test(test_filed),
        cmocka_unit_test(test_event_text_and_status),
        cmocka_unit_test(test_request),
        cmocka_unit_test(test_update),
        cmocka_unit_test(test_xml_escapes),
        cmocka_unit_test(test_xml_mapping),
        cmocka_unit_test(test_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
