#include "pool.h"

#include <pthread.h>
#include <stdlib.h>

#include "db.h"
#include "log.h"

struct pool {
    pthread_mutex_t lock;
    pthread_cond_t freed;
    unsigned n, nfree;
    worker_t *workers;
    worker_t **free_list;
};

static void s_worker_close(worker_t *w)
{
    for (int s = 0; s < GW_SERVICES; s++)
        rpccli_destroy(&w->cli[s]);
    pstmt_destroy(&w->sql);
    if (w->conn)
        PQfinish(w->conn);
    w->conn = NULL;
}

int pool_new(void *zctx, const char *db_url, const char *const endpoints[GW_SERVICES], unsigned n,
             pool_t **out)
{
    pool_t *p = calloc(1, sizeof *p);
    if (!p || !(p->workers = calloc(n, sizeof *p->workers)) ||
        !(p->free_list = calloc(n, sizeof *p->free_list))) {
        if (p)
            free(p->workers);
        free(p);
        return -1;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    p->n = n;
    for (unsigned i = 0; i < n; i++) {
        worker_t *w = &p->workers[i];
        if (!(w->conn = db_connect(db_url, 10000)) || !(w->sql = pstmt_new(w->conn))) {
            p->n = i + 1;
            pool_destroy(&p);
            return -1;
        }
        for (int s = 0; s < GW_SERVICES; s++)
            if (rpccli_new(zctx, endpoints[s], &w->cli[s])) {
                log_error("gateway cannot reach %s", endpoints[s]);
                p->n = i + 1;
                pool_destroy(&p);
                return -1;
            }
        p->free_list[p->nfree++] = w;
    }
    *out = p;
    return 0;
}

worker_t *pool_take(pool_t *p)
{
    pthread_mutex_lock(&p->lock);
    while (p->nfree == 0)
        pthread_cond_wait(&p->freed, &p->lock);
    worker_t *w = p->free_list[--p->nfree];
    pthread_mutex_unlock(&p->lock);
    return w;
}

void pool_give(pool_t *p, worker_t *w)
{
    pthread_mutex_lock(&p->lock);
    p->free_list[p->nfree++] = w;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

void pool_destroy(pool_t **self_p)
{
    pool_t *p = *self_p;
    if (!p)
        return;
    *self_p = NULL;
    for (unsigned i = 0; i < p->n; i++)
        s_worker_close(&p->workers[i]);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->freed);
    free(p->workers);
    free(p->free_list);
    free(p);
}
