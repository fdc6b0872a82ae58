#include "actor.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "db.h"
#include "log.h"

/* How long the actor waits for its database to accept connections. */
#define CONNECT_WAIT_MS 10000

struct actor {
    uv_thread_t thread;
    uv_sem_t ready;           /* posted once `start` has returned (or the start failed) */
    int start_rc;
    uv_loop_t loop;
    uv_async_t stop;          /* actor_destroy's request, on the actor's loop */
    PGconn *conn;
    actor_config_t cfg;       /* name and db_url only during the start */
    atomic_int stopping;
};

/* On the actor's thread: the actor closes its handles, then the request's
 * own handle closes, and the loop ends. */
static void s_on_stop(uv_async_t *async)
{
    actor_t *actor = async->data;
    actor->cfg.stop(actor->cfg.arg);
    uv_close((uv_handle_t *) &actor->stop, NULL);
}

/* Connects and runs `start`. Returns 0, or the start's error once the loop
 * has closed whatever was initialised on it. */
static int s_start(actor_t *actor)
{
    int rc = uv_async_init(&actor->loop, &actor->stop, s_on_stop);
    if (rc)
        return rc;
    actor->stop.data = actor;
    actor->conn = db_connect(actor->cfg.db_url, CONNECT_WAIT_MS);
    if (!actor->conn || (actor->cfg.schema_version > 0 &&
                         db_require_schema(actor->conn, actor->cfg.schema_version))) {
        log_error("%s cannot start without its database", actor->cfg.name);
        rc = -ECONNREFUSED;
    } else {
        rc = actor->cfg.start(&actor->loop, actor->conn, actor->cfg.arg);
    }
    if (rc) {
        uv_close((uv_handle_t *) &actor->stop, NULL);
        uv_run(&actor->loop, UV_RUN_DEFAULT);  /* the close callbacks of what start opened */
        PQfinish(actor->conn);
        actor->conn = NULL;
    }
    return rc;
}

/* The actor's thread. After a failed start it touches nothing of the actor
 * once it posted `ready`: actor_new frees it. */
static void s_main(void *arg)
{
    actor_t *actor = arg;
    int rc = uv_loop_init(&actor->loop);
    if (rc == 0 && (rc = s_start(actor)) != 0)
        uv_loop_close(&actor->loop);
    actor->start_rc = rc;
    actor->cfg.name = actor->cfg.db_url = NULL;  /* borrowed only during actor_new */
    uv_sem_post(&actor->ready);
    if (rc)
        return;
    uv_run(&actor->loop, UV_RUN_DEFAULT);  /* until s_on_stop */
    if (uv_loop_close(&actor->loop))
        log_error("an actor's loop ended with handles open");
}

int actor_new(const actor_config_t *cfg, actor_t **out)
{
    actor_t *actor = calloc(1, sizeof *actor);
    if (!actor)
        return -ENOMEM;
    actor->cfg = *cfg;
    int rc = uv_sem_init(&actor->ready, 0);
    if (rc) {
        free(actor);
        return rc;
    }
    *out = actor;
    if ((rc = uv_thread_create(&actor->thread, s_main, actor)) != 0) {
        log_error("%s cannot start its thread: %s", cfg->name, uv_strerror(rc));
    } else {
        uv_sem_wait(&actor->ready);
        rc = actor->start_rc;
        if (rc)
            uv_thread_join(&actor->thread);
    }
    if (rc) {
        *out = NULL;
        uv_sem_destroy(&actor->ready);
        free(actor);
    }
    return rc;
}

int actor_stopping(const actor_t *actor)
{
    return atomic_load(&actor->stopping);
}

void actor_destroy(actor_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    actor_t *actor = *self_p;
    atomic_store(&actor->stopping, 1);
    uv_async_send(&actor->stop);
    uv_thread_join(&actor->thread);
    *self_p = NULL;  /* only now: the actor's callbacks may read it until the thread ends */
    PQfinish(actor->conn);
    uv_sem_destroy(&actor->ready);
    free(actor);
}
