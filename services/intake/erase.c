#include "erase.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "db.h"
#include "queries.h"

#define ERASE_BATCH 1000

int erase_sweep(void *arg, int64_t cutoff_ms, int64_t *erased)
{
    PGconn *conn = arg;
    char cutoff[24], batch[16], sqlstate[6];
    snprintf(cutoff, sizeof cutoff, "%" PRId64, cutoff_ms);
    snprintf(batch, sizeof batch, "%d", ERASE_BATCH);
    const char *params[] = {cutoff, batch};
    *erased = 0;
    for (;;) { /* one transaction a batch: locks stay short however much is due */
        PGresult *res = db_exec(conn, Q_ERASE_CONTACTS, 2, params, sqlstate);
        if (!res)
            return -1;
        int n = PQntuples(res);
        PQclear(res);
        *erased += n;
        if (n < ERASE_BATCH)
            return 0;
    }
}
