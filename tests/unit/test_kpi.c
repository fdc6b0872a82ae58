/* routing's KPI arithmetic, apart from the database (docs/kpi.md): the three
 * rates, a 上报 left out of the resolution base, the 双考核 rating, the score
 * over the rates that have something under them, and what is judged against
 * a target. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kpi.h"

/* kpi_weights as migration 0019 loads them. */
static const double s_weights[KPI_FIGURES] = {20, 30, 30, 20, 0};

static Gov__Kpi s_kpi(int dispatched, int signed_in_time, int resolved, int passed_up,
                      int evaluated, int satisfied, int rated, double rating_mean)
{
    Gov__Kpi k = GOV__KPI__INIT;
    k.dispatched = dispatched;
    k.signed_in_time = signed_in_time;
    k.resolved_not_reopened = resolved;
    k.passed_up = passed_up;
    k.evaluated = evaluated;
    k.satisfied = satisfied;
    k.rated = rated;
    k.rating_mean = rating_mean;
    kpi_rates(&k, s_weights);
    return k;
}

static void test_the_three_rates(void **state)
{
    (void) state;
    Gov__Kpi k = s_kpi(4, 2, 2, 0, 3, 2, 0, 0);
    assert_true(k.response_rate == 0.5);
    assert_true(k.resolution_rate == 0.5);
    assert_true(k.satisfaction_rate == 2.0 / 3.0);
    /* 100 × (20 × 0.5 + 30 × 0.5 + 30 × 2/3) ÷ 80 */
    assert_true(k.score == 56.25);
}

static void test_a_pass_up_leaves_the_resolution_rate_unchanged(void **state)
{
    (void) state;
    Gov__Kpi before = s_kpi(2, 2, 1, 0, 0, 0, 0, 0);
    Gov__Kpi after = s_kpi(3, 3, 1, 1, 0, 0, 0, 0);
    assert_true(before.resolution_rate == 0.5);
    assert_true(after.resolution_rate == before.resolution_rate);
    /* A return instead would have counted against it. */
    Gov__Kpi returned = s_kpi(3, 3, 1, 0, 0, 0, 0, 0);
    assert_true(returned.resolution_rate < before.resolution_rate);
    /* Everything passed up: nothing to judge, 0, and the score leaves it out. */
    Gov__Kpi all = s_kpi(1, 1, 0, 1, 0, 0, 0, 0);
    assert_true(all.resolution_rate == 0.0);
    assert_false(kpi_judged(&all, KPI_RESOLUTION));
    assert_true(all.score == 100.0);
}

static void test_the_streets_rating_feeds_the_score(void **state)
{
    (void) state;
    Gov__Kpi k = s_kpi(2, 2, 2, 0, 0, 0, 2, 3.5);
    assert_true(k.rating_rate == 0.625);
    /* 100 × (20 + 30 + 20 × 0.625) ÷ 70: satisfaction, with nothing
     * evaluated, drops out with its weight. */
    assert_true(k.score > 89.2857 && k.score < 89.2858);
    Gov__Kpi worst = s_kpi(2, 2, 2, 0, 0, 0, 1, 1.0);
    assert_true(worst.rating_rate == 0.0);
    Gov__Kpi unrated = s_kpi(2, 2, 2, 0, 0, 0, 0, 0);
    assert_true(unrated.score == 100.0);
    assert_false(kpi_judged(&unrated, KPI_RATING));
}

static void test_nothing_at_all_scores_zero(void **state)
{
    (void) state;
    Gov__Kpi k = s_kpi(0, 0, 0, 0, 0, 0, 0, 0);
    assert_true(k.score == 0.0);
    assert_false(kpi_judged(&k, KPI_SCORE));
    const double none[KPI_FIGURES] = {0};
    Gov__Kpi w = GOV__KPI__INIT;
    w.dispatched = w.signed_in_time = 1;
    kpi_rates(&w, none);
    assert_true(w.response_rate == 1.0);
    assert_true(w.score == 0.0);   /* every weight 0 */
}

static void test_figures_by_name(void **state)
{
    (void) state;
    assert_int_equal(kpi_figure("satisfaction"), KPI_SATISFACTION);
    assert_int_equal(kpi_figure("score"), KPI_SCORE);
    assert_int_equal(kpi_figure("happiness"), -1);
    assert_int_equal(kpi_figure(NULL), -1);
    Gov__Kpi k = s_kpi(4, 2, 2, 0, 3, 2, 0, 0);
    assert_true(kpi_value(&k, KPI_SATISFACTION) == k.satisfaction_rate);
    assert_true(kpi_value(&k, KPI_SCORE) == k.score);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_three_rates),
        cmocka_unit_test(test_a_pass_up_leaves_the_resolution_rate_unchanged),
        cmocka_unit_test(test_the_streets_rating_feeds_the_score),
        cmocka_unit_test(test_nothing_at_all_scores_zero),
        cmocka_unit_test(test_figures_by_name),
    };
    return cmocka_run_group_tests_name("kpi", tests, NULL, NULL);
}
