/* bench-gateway: the floor for the gateway's reads — libmicrohttpd, set up
 * as the gateway sets it up (internal threads with epoll, the same pool size
 * and connection limits), answering every request at once with the bytes of
 * a file (the body the gateway gave for the same request). What the gateway
 * does beyond this (authenticating, a ZeroMQ round trip to routing, a
 * database read there, JSON) is what bench/gateway/run.sh measures.
 *
 *   bench-gateway PORT THREADS BODY_FILE      runs until SIGINT or SIGTERM */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *s_body;
static size_t s_len;

static enum MHD_Result s_answer(void *cls, struct MHD_Connection *conn, const char *url,
                                const char *method, const char *version, const char *data,
                                size_t *size, void **state)
{
    (void) cls, (void) url, (void) method, (void) version, (void) data, (void) size, (void) state;
    struct MHD_Response *r =
        MHD_create_response_from_buffer(s_len, s_body, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result rc = MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench-gateway PORT THREADS BODY_FILE\n");
        return 2;
    }
    FILE *f = fopen(argv[3], "r");
    if (!f || !(s_body = malloc(1 << 20)))
        return 1;
    s_len = fread(s_body, 1, 1 << 20, f);
    fclose(f);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* MHD's threads inherit the mask */
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, (uint16_t) atoi(argv[1]), NULL, NULL,
        s_answer, NULL, MHD_OPTION_THREAD_POOL_SIZE, (unsigned) atoi(argv[2]),
        MHD_OPTION_CONNECTION_LIMIT, 1000u, MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
    if (!d)
        return 1;
    int sig;
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    free(s_body);
    return 0;
}
