/* actor: a thread with a loop and a database connection of its own, in the
 * shape of CZMQ's zactor.
 *
 * actor_new connects on the new thread, runs the actor's `start` there on
 * its fresh loop, and returns only once `start` has returned: when it
 * succeeds the actor is ready (its handles are on the loop, what it binds is
 * bound), when it fails nothing is left running. The loop then runs until
 * actor_destroy, which asks the thread to stop (`stop` closes the actor's
 * handles, on the thread), waits for the loop to end, and closes the
 * connection. Work that takes long inside one callback (a catch-up) can ask
 * actor_stopping() to give up early.
 *
 * The actor's state belongs to its thread while it runs; the thread that
 * made it may touch that state again (free it, close a socket the actor
 * opened) once actor_new failed or actor_destroy returned. Handles on the
 * actor's loop live in the caller's structs: every one is closed by the time
 * the loop ends, so those structs may be freed after actor_destroy. */
#ifndef GOV_ACTOR_H
#define GOV_ACTOR_H

#include <libpq-fe.h>
#include <uv.h>

typedef struct actor actor_t;

/* Runs on the actor's thread before actor_new returns: readies the actor on
 * `loop` using `conn` (the actor's; borrowed until the loop ends). Returns 0,
 * or a negative value after logging why, once every handle it initialised is
 * closing (uv_close): actor_new then fails. */
typedef int (*actor_start_fn)(uv_loop_t *loop, PGconn *conn, void *arg);

/* Runs on the actor's thread when actor_destroy asks it to stop: closes
 * every handle the actor has on its loop, so the loop can end. */
typedef void (*actor_stop_fn)(void *arg);

typedef struct {
    const char *name;        /* for log lines ("relay for routing"); borrowed during actor_new */
    const char *db_url;      /* the actor's connection; borrowed during actor_new */
    int schema_version;      /* > 0: refuse a database at any other version */
    actor_start_fn start;
    actor_stop_fn stop;
    void *arg;               /* passed to start and stop */
} actor_config_t;

/* Starts an actor and waits until it is ready. `*out` is set before the
 * thread starts, so the actor's own callbacks may read it (actor_stopping),
 * and set back to NULL when the start fails. Returns 0; -ENOMEM or the
 * error of uv_thread_create; -ECONNREFUSED when the database could not be
 * reached or is at another schema version (logged); or what `start`
 * returned. On failure the thread has ended and its loop is closed. */
int actor_new(const actor_config_t *cfg, actor_t **out);

/* Nonzero once actor_destroy has asked the actor to stop. Any thread. */
int actor_stopping(const actor_t *actor);

/* Asks the actor to stop (its `stop` runs on its thread once the callback
 * under way, if any, returns), waits for its thread to end, and closes its
 * loop and connection. NULLs the caller's pointer once the thread ended (the
 * actor's callbacks may read it until then); safe on NULL. */
void actor_destroy(actor_t **self_p);

#endif
