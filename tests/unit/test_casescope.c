/* intake's read scope: who reads which cases, and how much of their people. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "casescope.h"
#include "text.h"

static casescope_t s_rule(const char *id, const char *role, const char *unit, const char *kind,
                          const char *area, const char *phone)
{
    Gov__Actor a = GOV__ACTOR__INIT;
    a.id = (char *) id;
    a.role = (char *) role;
    a.unit = (char *) unit;
    return casescope_rule(&a, kind, area, phone);
}

static void test_trusted_processes_and_the_operator_see_all(void **state)
{
    (void) state;
    assert_int_equal(casescope_rule(NULL, "", "", "").kind, CASESCOPE_ALL);
    assert_int_equal(casescope_rule(NULL, NULL, NULL, NULL).kind, CASESCOPE_ALL);
    assert_int_equal(s_rule("", "", "", "", "", "").kind, CASESCOPE_ALL);
    assert_int_equal(s_rule("operator:govctl", "operator", "", "", "", "").kind, CASESCOPE_ALL);
    /* an operator acting for a department is that department */
    assert_int_equal(s_rule("p.x", "operator", "dept.x", "department", "demo", "").kind,
                     CASESCOPE_MASKED);
}

static void test_the_centre_sees_all_the_leadership_masked(void **state)
{
    (void) state;
    assert_int_equal(s_rule("p.c", "dispatcher", "centre", "dispatch_centre", "demo", "1").kind,
                     CASESCOPE_ALL);
    /* the leadership oversees; it does not call reporters */
    casescope_t l = s_rule("p.l", "head", "leader", "leadership", "", "");
    assert_int_equal(l.kind, CASESCOPE_MASKED);
    assert_string_equal(l.unit, "leader");
}

static void test_a_territorial_unit_sees_its_area(void **state)
{
    (void) state;
    const char *kinds[] = {"grid_team", "community", "street_office"};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        casescope_t s = s_rule("p.x", "head", "u.x", kinds[i], "demo.s1", "13800000001");
        assert_int_equal(s.kind, CASESCOPE_AREA);
        assert_string_equal(s.area, "demo.s1");
    }
    /* one with no area sees nothing, and so does one whose code does not fit */
    assert_int_equal(s_rule("p.x", "head", "gt.x", "grid_team", "", "").kind, CASESCOPE_NONE);
    char long_code[300];
    memset(long_code, 'a', sizeof long_code - 1);
    long_code[sizeof long_code - 1] = '\0';
    assert_int_equal(s_rule("p.x", "head", "gt.x", "grid_team", long_code, "").kind,
                     CASESCOPE_NONE);
}

static void test_other_units_see_all_masked(void **state)
{
    (void) state;
    const char *kinds[] = {"department", "supervision", "a_kind_added_later"};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        casescope_t s = s_rule("p.x", "head", "u.x", kinds[i], "demo", "");
        assert_int_equal(s.kind, CASESCOPE_MASKED);
        assert_string_equal(s.unit, "u.x"); /* its own cases (the lead) in full */
    }
    /* a unit whose kind is unknown sees nothing */
    assert_int_equal(s_rule("p.x", "head", "u.x", "", "", "").kind, CASESCOPE_NONE);
}

static void test_a_person_without_a_unit_sees_their_own(void **state)
{
    (void) state;
    casescope_t s = s_rule("r.1", "resident", "", "", "", "13900000001");
    assert_int_equal(s.kind, CASESCOPE_OWN);
    assert_string_equal(s.phone, "13900000001");
    assert_int_equal(s_rule("r.1", "person", "", "", "", "13900000001").kind, CASESCOPE_OWN);
    /* no phone, no case */
    assert_int_equal(s_rule("r.1", "resident", "", "", "", "").kind, CASESCOPE_NONE);
    assert_int_equal(s_rule("r.1", "resident", "", "", "", NULL).kind, CASESCOPE_NONE);
    /* claiming a centre's kind or an area without a unit changes nothing */
    s = s_rule("r.1", "resident", "", "dispatch_centre", "demo", "13900000001");
    assert_int_equal(s.kind, CASESCOPE_OWN);
    /* the operator's role with no unit is the operator, whoever it names:
     * only govctl sends it (the gateway sends resident or person) */
    assert_int_equal(s_rule("r.1", "operator", "", "", "", "13900000001").kind, CASESCOPE_ALL);
}

static void test_masking_a_phone(void **state)
{
    (void) state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"13812341234", "138****1234"},     {"+8613812341234", "+86138****1234"},
        {"8613812341234", "86138****1234"}, {"010-12345678", "010-****5678"},
        {"0755-1234567", "075*-***4567"},   {"075512345678", "075*****5678"},
        {"12345678", "123*5678"},           {"1234567", "*******"},
        {"12", "**"},                       {"", ""},
        {"+86", "+86"},                     {"138 1234 1234", "138 **** 1234"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char out[64];
        memset(out, 'x', sizeof out);
        text_mask_phone(cases[i].in, out);
        if (strcmp(out, cases[i].out) != 0)
            fail_msg("%s: \"%s\", wanted \"%s\"", cases[i].in, out, cases[i].out);
    }
}

/* A case with a reporter, two callers (the reporter's own call and a
 * neighbour's), in grid demo.s1.c1.g1. */
typedef struct {
    Gov__Case c;
    Gov__Reporter who, who_call, neighbour;
    Gov__Caller call[2], *calls[2];
    Gov__AreaRef refs[4], *path[4];
} s_case_t;

static void s_case(s_case_t *k)
{
    static const char *codes[] = {"demo", "demo.s1", "demo.s1.c1", "demo.s1.c1.g1"};
    memset(k, 0, sizeof *k);
    gov__case__init(&k->c);
    gov__reporter__init(&k->who);
    gov__reporter__init(&k->who_call);
    gov__reporter__init(&k->neighbour);
    k->who.name = "王秀英", k->who.phone = "13900000001";
    k->who_call = k->who;
    k->neighbour.name = "李志强", k->neighbour.phone = "13900000002";
    for (int i = 0; i < 2; i++) {
        gov__caller__init(&k->call[i]);
        k->calls[i] = &k->call[i];
    }
    k->call[0].reporter = &k->who_call;
    k->call[1].reporter = &k->neighbour;
    for (int i = 0; i < 4; i++) {
        gov__area_ref__init(&k->refs[i]);
        k->refs[i].code = (char *) codes[i];
        k->path[i] = &k->refs[i];
    }
    k->c.id = 7;
    k->c.reporter = &k->who;
    k->c.callers = k->calls, k->c.n_callers = 2;
    k->c.area_path = k->path, k->c.n_area_path = 4;
}

static casescope_t s_scope(casescope_kind_t kind, const char *area, const char *phone)
{
    casescope_t s = {kind, "", "", ""};
    strcpy(s.area, area);
    strcpy(s.phone, phone);
    return s;
}

static void test_who_sees_a_case(void **state)
{
    (void) state;
    s_case_t k;
    s_case(&k);
    assert_true(casescope_sees(&(casescope_t) {CASESCOPE_ALL, "", "", ""}, &k.c));
    assert_true(casescope_sees(&(casescope_t) {CASESCOPE_MASKED, "", "", "dept.x"}, &k.c));
    assert_false(casescope_sees(&(casescope_t) {CASESCOPE_NONE, "", "", ""}, &k.c));
    /* an area holds the cases of every area under it, by the case's path */
    const char *inside[] = {"demo", "demo.s1", "demo.s1.c1", "demo.s1.c1.g1"};
    for (size_t i = 0; i < 4; i++) {
        casescope_t s = s_scope(CASESCOPE_AREA, inside[i], "");
        assert_true(casescope_sees(&s, &k.c));
    }
    const char *outside[] = {"demo.s1.c1.g2", "demo.s1.c", "demo.s2", "demo.s1.c1.g1.x", ""};
    for (size_t i = 0; i < 5; i++) {
        casescope_t s = s_scope(CASESCOPE_AREA, outside[i], "");
        if (casescope_sees(&s, &k.c))
            fail_msg("area %s sees a case in demo.s1.c1.g1", outside[i]);
    }
    k.c.n_area_path = 0; /* unplaced: only those who see all */
    casescope_t demo = s_scope(CASESCOPE_AREA, "demo", "");
    assert_false(casescope_sees(&demo, &k.c));
    k.c.n_area_path = 4;
    /* a person: as the reporter, as a caller, or not at all */
    casescope_t reporter = s_scope(CASESCOPE_OWN, "", "13900000001");
    casescope_t caller = s_scope(CASESCOPE_OWN, "", "13900000002");
    casescope_t stranger = s_scope(CASESCOPE_OWN, "", "13900000003");
    assert_true(casescope_sees(&reporter, &k.c));
    assert_true(casescope_sees(&caller, &k.c));
    assert_false(casescope_sees(&stranger, &k.c));
    k.c.n_callers = 0; /* a listed case holds no callers: the reporter alone */
    assert_true(casescope_sees(&reporter, &k.c));
    assert_false(casescope_sees(&caller, &k.c));
    /* an empty phone matches no one, not even an empty reporter's */
    k.who.phone = "";
    casescope_t empty = s_scope(CASESCOPE_OWN, "", "");
    assert_false(casescope_sees(&empty, &k.c));
}

static void test_masking_a_case(void **state)
{
    (void) state;
    s_case_t k;
    char *storage = (char *) 1;

    /* those who see all get it as it is */
    s_case(&k);
    casescope_t all = {CASESCOPE_ALL, "", "", ""};
    assert_int_equal(casescope_mask(&all, &k.c, "", &storage), 0);
    assert_null(storage);
    assert_string_equal(k.who.phone, "13900000001");
    assert_string_equal(k.neighbour.name, "李志强");
    casescope_t area = s_scope(CASESCOPE_AREA, "demo.s1", "");
    assert_int_equal(casescope_mask(&area, &k.c, "", &storage), 0);
    assert_null(storage);
    assert_string_equal(k.call[1].reporter->phone, "13900000002");

    /* a department: nobody's name, every phone masked */
    casescope_t masked = {CASESCOPE_MASKED, "", "", "dept.x"};
    assert_int_equal(casescope_mask(&masked, &k.c, "dept.y", &storage), 0);
    assert_non_null(storage);
    assert_string_equal(k.c.reporter->name, "");
    assert_string_equal(k.c.reporter->phone, "139****0001");
    assert_string_equal(k.call[0].reporter->name, "");
    assert_string_equal(k.call[0].reporter->phone, "139****0001");
    assert_string_equal(k.call[1].reporter->name, "");
    assert_string_equal(k.call[1].reporter->phone, "139****0002");
    free(storage);

    /* the reporter: themselves in full, the neighbour who called masked */
    s_case(&k);
    casescope_t own = s_scope(CASESCOPE_OWN, "", "13900000001");
    assert_int_equal(casescope_mask(&own, &k.c, "dept.x", &storage), 0);
    assert_string_equal(k.c.reporter->name, "王秀英");
    assert_string_equal(k.c.reporter->phone, "13900000001");
    assert_string_equal(k.call[0].reporter->phone, "13900000001");
    assert_string_equal(k.call[1].reporter->name, "");
    assert_string_equal(k.call[1].reporter->phone, "139****0002");
    free(storage);

    /* the neighbour: the reporter masked, their own call in full */
    s_case(&k);
    casescope_t neighbour = s_scope(CASESCOPE_OWN, "", "13900000002");
    assert_int_equal(casescope_mask(&neighbour, &k.c, "", &storage), 0);
    assert_string_equal(k.c.reporter->name, "");
    assert_string_equal(k.c.reporter->phone, "139****0001");
    assert_string_equal(k.call[0].reporter->phone, "139****0001");
    assert_string_equal(k.call[1].reporter->name, "李志强");
    assert_string_equal(k.call[1].reporter->phone, "13900000002");
    free(storage);

    /* no reporter, a caller without one, and phones left empty */
    s_case(&k);
    k.c.reporter = NULL;
    k.call[0].reporter = NULL;
    k.neighbour.phone = "";
    assert_int_equal(casescope_mask(&masked, &k.c, "dept.y", &storage), 0);
    assert_string_equal(k.neighbour.name, "");
    assert_string_equal(k.neighbour.phone, "");
    free(storage);
}

static void test_the_public_sees_all_masked(void **state)
{
    (void) state;
    casescope_t s = s_rule("open311", "public", "", "", "", "");
    assert_int_equal(s.kind, CASESCOPE_MASKED);
    assert_string_equal(s.unit, "");
    /* no case is the public's own: a case with no lead yet is masked too */
    s_case_t k;
    char *storage = NULL;
    const char *leads[] = {"", NULL, "dept.x"};
    for (size_t i = 0; i < 3; i++) {
        s_case(&k);
        assert_false(casescope_shows_contact(&s, &k.c, leads[i]));
        assert_int_equal(casescope_mask(&s, &k.c, leads[i], &storage), 0);
        assert_string_equal(k.c.reporter->phone, "139****0001");
        free(storage);
    }
    /* the role acting for a unit is that unit's member, as any role is */
    assert_int_equal(s_rule("p.x", "public", "centre", "dispatch_centre", "", "").kind,
                     CASESCOPE_ALL);
}

static void test_the_lead_unit_reads_its_case_in_full(void **state)
{
    (void) state;
    s_case_t k;
    char *storage = (char *) 1;
    casescope_t dept = {CASESCOPE_MASKED, "", "", "dept.x"};
    /* the department the lead dispatch went to calls the reporter */
    s_case(&k);
    assert_true(casescope_shows_contact(&dept, &k.c, "dept.x"));
    assert_int_equal(casescope_mask(&dept, &k.c, "dept.x", &storage), 0);
    assert_null(storage);
    assert_string_equal(k.c.reporter->name, "王秀英");
    assert_string_equal(k.c.reporter->phone, "13900000001");
    assert_string_equal(k.call[1].reporter->phone, "13900000002");
    /* another department, and any department before the case is dispatched */
    const char *leads[] = {"dept.y", "", NULL, "dept.xx", "dept."};
    for (size_t i = 0; i < sizeof leads / sizeof *leads; i++) {
        s_case(&k);
        assert_false(casescope_shows_contact(&dept, &k.c, leads[i]));
        assert_int_equal(casescope_mask(&dept, &k.c, leads[i], &storage), 0);
        assert_string_equal(k.c.reporter->name, "");
        assert_string_equal(k.c.reporter->phone, "139****0001");
        assert_string_equal(k.call[1].reporter->phone, "139****0002");
        free(storage);
    }
}

static void test_which_reads_are_logged(void **state)
{
    (void) state;
    s_case_t k;
    s_case(&k);
    casescope_t all = {CASESCOPE_ALL, "", "", ""};
    casescope_t area = s_scope(CASESCOPE_AREA, "demo.s1", "");
    casescope_t dept = {CASESCOPE_MASKED, "", "", "dept.x"};
    casescope_t own = s_scope(CASESCOPE_OWN, "", "13900000001");
    casescope_t none = {CASESCOPE_NONE, "", "", ""};
    assert_true(casescope_shows_contact(&all, &k.c, ""));
    assert_true(casescope_shows_contact(&area, &k.c, ""));
    assert_false(casescope_shows_contact(&dept, &k.c, "dept.y"));
    assert_false(casescope_shows_contact(&none, &k.c, ""));
    /* a resident reads their own contact, the neighbour's masked: nothing to log */
    assert_false(casescope_shows_contact(&own, &k.c, ""));
    /* a case whose people left no name nor phone shows nobody */
    k.who.name = "";
    k.who.phone = "";
    k.who_call = k.who;
    k.neighbour.name = "";
    k.neighbour.phone = "";
    assert_false(casescope_shows_contact(&all, &k.c, ""));
    k.neighbour.name = "李志强"; /* a name alone is personal data */
    assert_true(casescope_shows_contact(&all, &k.c, ""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trusted_processes_and_the_operator_see_all),
        cmocka_unit_test(test_the_centre_sees_all_the_leadership_masked),
        cmocka_unit_test(test_a_territorial_unit_sees_its_area),
        cmocka_unit_test(test_other_units_see_all_masked),
        cmocka_unit_test(test_the_public_sees_all_masked),
        cmocka_unit_test(test_a_person_without_a_unit_sees_their_own),
        cmocka_unit_test(test_masking_a_phone),
        cmocka_unit_test(test_who_sees_a_case),
        cmocka_unit_test(test_masking_a_case),
        cmocka_unit_test(test_the_lead_unit_reads_its_case_in_full),
        cmocka_unit_test(test_which_reads_are_logged),
    };
    return cmocka_run_group_tests_name("casescope", tests, NULL, NULL);
}
