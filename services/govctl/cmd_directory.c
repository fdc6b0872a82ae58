/* govctl person add|list, units add|member|unmember: the organisation
 * directory through routing (services/routing/directory.c), which checks
 * that the actor is the admin. Without --as/--unit, govctl acts as the
 * operator (role operator, no unit), whom routing lets run them too: that is
 * how a deployment makes its first admin. */
#include <stdio.h>
#include <string.h>

#include "directory.pb-c.h"
#include "govctl.h"

static const char *s_person_usage =
    "usage: govctl person [--as PERSON --unit ADMIN_UNIT] add CODE --name NAME [--phone P] [--email E]\n"
    "       govctl person [--as PERSON --unit ADMIN_UNIT] list [--unit UNIT] [--code CODE]\n"
    "       govctl person passwd PERSON      (the password on standard input)\n"
    "add makes a person (CODE is their login name: a-z 0-9 . _ -); list shows people\n"
    "with their phones (the admin's, through routing). passwd sets a gateway password.\n";

static const char *s_units_usage =
    "usage: govctl units list [--kind K] [--json]\n"
    "       govctl units [--as PERSON --unit ADMIN_UNIT] add CODE --name NAME --kind KIND\n"
    "             [--area AREA] [--parent UNIT] [--supervisor UNIT]\n"
    "       govctl units [--as PERSON --unit ADMIN_UNIT] member UNIT PERSON ROLE\n"
    "       govctl units [--as PERSON --unit ADMIN_UNIT] unmember UNIT PERSON\n"
    "KIND: grid_team community street_office department dispatch_centre leadership\n"
    "supervision admin station (知行家). member adds PERSON to UNIT in ROLE (or changes the role).\n";

static const char *s_opt(int argc, char **argv, const char *name)
{
    const char *v = govctl_opt(argc, argv, name);
    return v ? v : "";
}

int cmd_person_directory(int argc, char **argv)
{
    int rc;
    if (!govctl_group_args(&argc, &argv, s_person_usage, 1, &rc))
        return rc;
    if (strcmp(argv[0], "add") == 0 && argc >= 2 && argv[1][0] != '-') {
        Gov__CreatePerson m = GOV__CREATE_PERSON__INIT;
        m.code = argv[1];
        m.name = (char *) s_opt(argc, argv, "--name");
        m.phone = (char *) s_opt(argc, argv, "--phone");
        m.email = (char *) s_opt(argc, argv, "--email");
        return govctl_call("routing", "CreatePerson", &m.base, NULL);
    }
    if (strcmp(argv[0], "list") == 0) {
        Gov__ListPeople m = GOV__LIST_PEOPLE__INIT;
        m.unit = (char *) s_opt(argc, argv, "--unit");
        m.code = (char *) s_opt(argc, argv, "--code");
        m.limit = 500;
        return govctl_call("routing", "ListPeople", &m.base, NULL);
    }
    return govctl_usage(s_person_usage, 0);
}

/* The id of unit `code`, through routing's ListUnits; -1 when none. */
static long long s_unit_id(const char *code)
{
    Gov__ListUnits q = GOV__LIST_UNITS__INIT;
    q.code = (char *) code;
    json_t *reply = NULL;
    if (govctl_call("routing", "ListUnits", &q.base, &reply) != 0)
        return -1;
    json_t *first = json_array_get(json_object_get(reply, "items"), 0);
    long long id = first ? json_integer_value(json_object_get(first, "id")) : -1;
    json_decref(reply);
    if (id <= 0)
        fprintf(stderr, "govctl: no unit %s\n", code);
    return id > 0 ? id : -1;
}

int cmd_units_directory(int argc, char **argv)
{
    int rc;
    if (!govctl_group_args(&argc, &argv, s_units_usage, 2, &rc))
        return rc;
    if (strcmp(argv[0], "add") == 0 && argv[1][0] != '-') {
        Gov__CreateUnit m = GOV__CREATE_UNIT__INIT;
        m.code = argv[1];
        m.name = (char *) s_opt(argc, argv, "--name");
        m.kind = (char *) s_opt(argc, argv, "--kind");
        m.area = (char *) s_opt(argc, argv, "--area");
        m.parent = (char *) s_opt(argc, argv, "--parent");
        m.supervisor = (char *) s_opt(argc, argv, "--supervisor");
        return govctl_call("routing", "CreateUnit", &m.base, NULL);
    }
    int member = strcmp(argv[0], "member") == 0, unmember = strcmp(argv[0], "unmember") == 0;
    if ((member && argc == 4) || (unmember && argc == 3)) {
        long long id = s_unit_id(argv[1]);
        if (id < 0)
            return 1;
        if (unmember) {
            Gov__RemoveMember m = GOV__REMOVE_MEMBER__INIT;
            m.unit_id = id;
            m.person = argv[2];
            return govctl_call("routing", "RemoveMember", &m.base, NULL);
        }
        Gov__AddMember m = GOV__ADD_MEMBER__INIT;
        m.unit_id = id;
        m.person = argv[2];
        m.role = argv[3];
        return govctl_call("routing", "AddMember", &m.base, NULL);
    }
    return govctl_usage(s_units_usage, 0);
}
