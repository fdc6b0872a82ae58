/* notify's reference data cache: each question goes to the database once a
 * batch, the next batch (after refs_forget) sees what changed, and a failed
 * question is not remembered. Against a real database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "refs.h"

/* (intake has a queries.h too, so the test states its own question) */
#define Q_TEMPLATE "SELECT subject, body FROM notify_templates WHERE kind = $1 AND lang = $2"

static void test_one_question_a_batch_and_the_next_batch_sees_changes(void **state)
{
    (void) state;
    char url[256];
    assert_int_equal(harness_db_new("it_notify_refs", url), 0);
    PGconn *conn = harness_db_connect(url), *other = harness_db_connect(url);
    refs_t *refs = refs_new();
    assert_non_null(refs);
    const char *zh[] = {"WhistleSummoned", "zh-CN"}, *en[] = {"WhistleSummoned", "en"};
    const PGresult *a = refs_query(refs, conn, Q_TEMPLATE, 2, zh);
    assert_non_null(a);
    assert_int_equal(PQntuples(a), 1);
    assert_true(strstr(PQgetvalue(a, 0, 0), "吹哨报到") != NULL);
    /* The same question is answered from memory, another one is asked. */
    assert_ptr_equal(refs_query(refs, conn, Q_TEMPLATE, 2, zh), a);
    assert_int_equal(refs_asked(refs), 1);
    assert_ptr_not_equal(refs_query(refs, conn, Q_TEMPLATE, 2, en), a);
    assert_int_equal(refs_asked(refs), 2);
    /* Someone edits the template: this batch keeps what it read. */
    harness_exec(other, "UPDATE notify_templates SET subject = 'edited {{whistle_id}}'"
                        " WHERE kind = 'WhistleSummoned' AND lang = 'zh-CN'");
    assert_true(strstr(PQgetvalue(refs_query(refs, conn, Q_TEMPLATE, 2, zh), 0, 0), "吹哨报到") != NULL);
    /* The next batch asks again and sees it. */
    refs_forget(refs);
    const PGresult *b = refs_query(refs, conn, Q_TEMPLATE, 2, zh);
    assert_non_null(b);
    assert_string_equal(PQgetvalue(b, 0, 0), "edited {{whistle_id}}");
    assert_int_equal(refs_asked(refs), 3);
    /* A failed question is not remembered. */
    const char *bad[] = {"not a number"};
    assert_null(refs_query(refs, conn, "SELECT $1::int", 1, bad));
    assert_null(refs_query(refs, conn, "SELECT $1::int", 1, bad));
    assert_int_equal(refs_asked(refs), 5);
    refs_destroy(&refs);
    assert_null(refs);
    refs_destroy(&refs);  /* twice is harmless */
    PQfinish(conn);
    PQfinish(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_question_a_batch_and_the_next_batch_sees_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
