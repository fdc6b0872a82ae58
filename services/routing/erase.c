#include "erase.h"

#include "queries.h"
#include "routing.h"

#define ERASE_BATCH 1000

int erase_sweep(void *arg, int64_t cutoff_ms, int64_t *erased)
{
    routing_t *r = arg;
    char cutoff[24], batch[24], sqlstate[6];
    const char *params[] = {routing_i64(cutoff, cutoff_ms), routing_i64(batch, ERASE_BATCH)};
    *erased = 0;
    for (;;) { /* one transaction a batch: locks stay short however much is due */
        PGresult *res = pstmt_exec(r->sql, Q_ERASE_CONTACTS, 2, params, sqlstate);
        if (!res)
            return -1;
        int n = PQntuples(res);
        PQclear(res);
        *erased += n;
        if (n < ERASE_BATCH)
            return 0;
    }
}
