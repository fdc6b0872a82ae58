/* routing's matching of new cases to rules, apart from the database: the
 * first rule that matches and has an owner where the case is, in the order
 * given; assisting units come with the rule; a returned case passes over
 * the units that led it; the centre when no rule takes a case; nobody when
 * there is no centre either. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "match.h"

/* A city: district 1 > street 2 > community 3 > grid 4; a second grid 5 in
 * community 3 has no grid team. Teams: grid team 40, community 30, street
 * office 20; departments 50 (城管) and 52 (水务) with 55 assisting; centre 9. */
static const int64_t s_grid4[] = {1, 2, 3, 4};
static const int64_t s_grid5[] = {1, 2, 3, 5};
static const int64_t s_assists[] = {55};

static match_case_t s_case(const char *category, const int64_t *path, size_t n_path)
{
    match_case_t c = {.category = category, .path = path, .n_path = n_path, .centre = 9};
    if (n_path == 4 && path[3] == 4)
        c.team[MATCH_GRID] = 40;
    if (n_path >= 3)
        c.team[MATCH_COMMUNITY] = 30;
    if (n_path >= 2)
        c.team[MATCH_STREET] = 20;
    return c;
}

/* In rank order, as Q_RULES_ENABLED gives them. */
static const match_rule_t s_rules[] = {
    {.id = 10, .category_subject = "dispute", .tier = MATCH_GRID},
    {.id = 11, .category_subject = "dispute", .tier = MATCH_COMMUNITY},
    {.id = 40, .category_subject = "noise", .area_id = 2, .tier = MATCH_DEPARTMENT,
     .lead_unit_id = 50, .on_site = 1},
    {.id = 60, .category_subject = "water", .tier = MATCH_DEPARTMENT, .lead_unit_id = 52,
     .assists = s_assists, .n_assists = 1},
    {.id = 120, .category_kind = "consultation", .tier = MATCH_STREET},
};
#define N_RULES (sizeof s_rules / sizeof *s_rules)

static void test_the_first_rule_with_an_owner_takes_the_case(void **state)
{
    (void) state;
    match_case_t c = s_case("help.dispute", s_grid4, 4);
    match_decision_t d = match_case(&c, s_rules, N_RULES);
    assert_int_equal(d.how, MATCH_BY_RULE);
    assert_int_equal(d.rule->id, 10);
    assert_int_equal(d.unit_id, 40);
    assert_false(d.on_site);
    /* No grid team in grid 5: the community's rule, next in rank. */
    c = s_case("help.dispute", s_grid5, 4);
    d = match_case(&c, s_rules, N_RULES);
    assert_int_equal(d.rule->id, 11);
    assert_int_equal(d.unit_id, 30);
}

static void test_kind_subject_and_area_must_all_match(void **state)
{
    (void) state;
    match_case_t c = s_case("complaint.noise", s_grid4, 4);
    match_decision_t d = match_case(&c, s_rules, N_RULES);
    assert_int_equal(d.rule->id, 40);
    assert_int_equal(d.unit_id, 50);
    assert_true(d.on_site);
    /* Outside street 2 the noise rule does not apply: the centre. */
    static const int64_t elsewhere[] = {1, 7, 8, 9};
    c = s_case("complaint.noise", elsewhere, 4);
    d = match_case(&c, s_rules, N_RULES);
    assert_int_equal(d.how, MATCH_TO_CENTRE);
    assert_null(d.rule);
    assert_int_equal(d.unit_id, 9);
    /* The kind is the part before the dot, the subject the one after it;
     * neither is a prefix match. */
    c = s_case("consultation.policy", s_grid4, 4);
    assert_int_equal(match_case(&c, s_rules, N_RULES).unit_id, 20);
    c = s_case("consultations.policy", s_grid4, 4);
    assert_int_equal(match_case(&c, s_rules, N_RULES).how, MATCH_TO_CENTRE);
    c = s_case("complaint.noisy", s_grid4, 4);
    assert_int_equal(match_case(&c, s_rules, N_RULES).how, MATCH_TO_CENTRE);
    c = s_case("noise", s_grid4, 4); /* no subject at all */
    assert_int_equal(match_case(&c, s_rules, N_RULES).how, MATCH_TO_CENTRE);
}

static void test_assisting_units_come_with_the_rule(void **state)
{
    (void) state;
    match_case_t c = s_case("report.water", s_grid4, 4);
    match_decision_t d = match_case(&c, s_rules, N_RULES);
    assert_int_equal(d.unit_id, 52);
    assert_int_equal(d.rule->n_assists, 1);
    assert_int_equal(d.rule->assists[0], 55);
}

static void test_an_unplaced_case_takes_only_rules_for_anywhere(void **state)
{
    (void) state;
    /* No area: no team of any tier, no area rule; a department rule for
     * anywhere still takes it. */
    match_case_t c = s_case("help.dispute", NULL, 0);
    assert_int_equal(match_case(&c, s_rules, N_RULES).how, MATCH_TO_CENTRE);
    c = s_case("report.water", NULL, 0);
    assert_int_equal(match_case(&c, s_rules, N_RULES).unit_id, 52);
}

static void test_no_rule_and_no_centre_is_nobody(void **state)
{
    (void) state;
    match_case_t c = s_case("suggestion.policy", s_grid4, 4);
    c.centre = 0;
    match_decision_t d = match_case(&c, s_rules, N_RULES);
    assert_int_equal(d.how, MATCH_NOBODY);
    assert_int_equal(d.unit_id, 0);
    /* And no rules at all: the centre takes everything. */
    c.centre = 9;
    assert_int_equal(match_case(&c, NULL, 0).how, MATCH_TO_CENTRE);
}

static void test_a_returned_case_passes_over_the_units_that_led_it(void **state)
{
    (void) state;
    /* The grid team returned the dispute: the community's rule next; when
     * the community returns it too, the centre, which may take it back from
     * anyone. */
    static const int64_t grid_led[] = {40}, both_led[] = {40, 30};
    match_case_t c = s_case("help.dispute", s_grid4, 4);
    c.led = grid_led;
    c.n_led = 1;
    match_decision_t d = match_case(&c, s_rules, N_RULES);
    assert_int_equal(d.rule->id, 11);
    assert_int_equal(d.unit_id, 30);
    c.led = both_led;
    c.n_led = 2;
    d = match_case(&c, s_rules, N_RULES);
    assert_int_equal(d.how, MATCH_TO_CENTRE);
    assert_int_equal(d.unit_id, 9);
    static const int64_t centre_led[] = {9};
    c = s_case("suggestion.policy", s_grid4, 4);
    c.led = centre_led;
    c.n_led = 1;
    assert_int_equal(match_case(&c, s_rules, N_RULES).unit_id, 9);
}

static void test_a_batch_decides_each_case_alone(void **state)
{
    (void) state;
    match_case_t cases[4] = {s_case("complaint.noise", s_grid4, 4),
                             s_case("suggestion.policy", s_grid4, 4),
                             s_case("help.dispute", s_grid5, 4),
                             s_case("suggestion.policy", s_grid4, 4)};
    cases[3].centre = 0;
    match_decision_t out[4];
    match_batch(cases, 4, s_rules, N_RULES, out);
    assert_int_equal(out[0].unit_id, 50);
    assert_int_equal(out[1].how, MATCH_TO_CENTRE);
    assert_int_equal(out[2].unit_id, 30);
    assert_int_equal(out[3].how, MATCH_NOBODY);
    for (size_t i = 0; i < 4; i++) {
        match_decision_t alone = match_case(&cases[i], s_rules, N_RULES);
        assert_int_equal(out[i].how, alone.how);
        assert_ptr_equal(out[i].rule, alone.rule);
        assert_int_equal(out[i].unit_id, alone.unit_id);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_first_rule_with_an_owner_takes_the_case),
        cmocka_unit_test(test_kind_subject_and_area_must_all_match),
        cmocka_unit_test(test_assisting_units_come_with_the_rule),
        cmocka_unit_test(test_an_unplaced_case_takes_only_rules_for_anywhere),
        cmocka_unit_test(test_no_rule_and_no_centre_is_nobody),
        cmocka_unit_test(test_a_returned_case_passes_over_the_units_that_led_it),
        cmocka_unit_test(test_a_batch_decides_each_case_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
