/* govctl db migrate|version */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "govctl.h"
#include "migrate.h"

static const char *s_usage =
    "usage: govctl db migrate [DIR]    apply new migrations (default GOV_MIGRATIONS_DIR\n"
    "                                  or deploy/migrations)\n"
    "       govctl db version          print the schema version of the database\n";

static void s_progress(const char *file, void *arg)
{
    (void) arg;
    printf("applied %s\n", file);
}

int cmd_db(int argc, char **argv)
{
    if (argc < 2 || govctl_wants_help(argc, argv))
        return govctl_usage(s_usage, govctl_wants_help(argc, argv));
    int migrate = strcmp(argv[1], "migrate") == 0;
    if ((!migrate && strcmp(argv[1], "version") != 0) || argc > (migrate ? 3 : 2))
        return govctl_usage(s_usage, 0);
    PGconn *conn = govctl_db();
    if (!conn)
        return 1;
    int rc = 0;
    if (migrate) {
        const char *dir = argc == 3 ? argv[2] : config_str("GOV_MIGRATIONS_DIR", "deploy/migrations");
        int n = migrate_apply(conn, dir, s_progress, NULL);
        if (n < 0)
            rc = 1;
        else
            printf("schema at version %d (%d applied)\n", db_schema_version(conn), n);
    } else {
        int v = db_schema_version(conn);
        rc = v < 0;
        printf("%d\n", v);
    }
    PQfinish(conn);
    return rc;
}
