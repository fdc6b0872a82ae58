#include "curve.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "log.h"

#define ACTORS_MAX 16

/* Set once by curve_init, before any thread starts; read-only after. */
static struct {
    int on, has_server;
    char dir[4096];
    uint8_t server_public[32], server_secret[32], public[32], secret[32];
    char actors[ACTORS_MAX][CURVE_NAME_MAX];
    size_t nactors;
} s_curve;

static const char *const s_default_actors[] = {"govctl", "gateway"};

int curve_read(const char *path, uint8_t key[32])
{
    char text[64] = "";
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
        n--;
    text[n] = '\0';
    if (n != 40 || !zmq_z85_decode(key, text))
        return -1;
    return 0;
}

static int s_read_pair(const char *dir, const char *name, int secret_too, uint8_t public[32],
                       uint8_t secret[32])
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.pub", dir, name);
    if (curve_read(path, public)) {
        log_error("CURVE: cannot read the key %s (make keys with govctl keys generate)", path);
        return -1;
    }
    if (!secret_too)
        return 0;
    snprintf(path, sizeof path, "%s/%s.key", dir, name);
    if (curve_read(path, secret)) {
        log_error("CURVE: cannot read the secret key %s", path);
        return -1;
    }
    return 0;
}

static int s_valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= CURVE_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
              name[i] == '-' || name[i] == '_'))
            return 0;
    return 1;
}

static void s_read_actors(const char *dir)
{
    char path[4200], line[256];
    snprintf(path, sizeof path, "%s/actors", dir);
    FILE *f = fopen(path, "r");
    s_curve.nactors = 0;
    if (!f) {
        log_warn("CURVE: no %s: no client may name an actor", path);
        return;
    }
    while (fgets(line, sizeof line, f) && s_curve.nactors < ACTORS_MAX) {
        line[strcspn(line, " \t\r\n#")] = '\0';
        if (s_valid_name(line)) /* shorter than CURVE_NAME_MAX */
            memcpy(s_curve.actors[s_curve.nactors++], line, strlen(line) + 1);
    }
    fclose(f);
}

int curve_init(const char *dir, const char *name, int server)
{
    memset(&s_curve, 0, sizeof s_curve);
    if (!dir || !*dir)
        return 0;
    if (strlen(dir) >= sizeof s_curve.dir || !s_valid_name(name)) {
        log_error("CURVE: bad key folder or key name");
        return -1;
    }
    snprintf(s_curve.dir, sizeof s_curve.dir, "%s", dir);
    if (s_read_pair(dir, "server", server, s_curve.server_public, s_curve.server_secret) ||
        s_read_pair(dir, name, 1, s_curve.public, s_curve.secret)) {
        memset(&s_curve, 0, sizeof s_curve);
        return -1;
    }
    s_curve.has_server = server;
    s_read_actors(dir);
    s_curve.on = 1;
    return 0;
}

int curve_on(void)
{
    return s_curve.on;
}

const char *curve_dir(void)
{
    return s_curve.on ? s_curve.dir : NULL;
}

int curve_server(void *sock)
{
    if (!s_curve.on)
        return 0;
    int one = 1;
    if (!s_curve.has_server || zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof one) ||
        zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, s_curve.server_secret, 32) ||
        zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, "gov", 3)) {
        log_error("CURVE: cannot make a server socket: %s",
                  s_curve.has_server ? zmq_strerror(zmq_errno()) : "no server key loaded");
        return -1;
    }
    return 0;
}

int curve_client(void *sock)
{
    if (!s_curve.on)
        return 0;
    if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, s_curve.server_public, 32) ||
        zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, s_curve.public, 32) ||
        zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, s_curve.secret, 32)) {
        log_error("CURVE: cannot make a client socket: %s", zmq_strerror(zmq_errno()));
        return -1;
    }
    return 0;
}

int curve_may_act(const char *peer)
{
    if (!s_curve.on)
        return 1;
    for (size_t i = 0; i < s_curve.nactors; i++)
        if (strcmp(s_curve.actors[i], peer) == 0)
            return 1;
    return 0;
}

int curve_peer_is(const char *peer, const char *name)
{
    return !s_curve.on || strcmp(peer, name) == 0;
}

int curve_lookup(const char *dir, const uint8_t key[32], char name[CURVE_NAME_MAX])
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n <= 4 || n - 4 >= CURVE_NAME_MAX || strcmp(e->d_name + n - 4, ".pub") != 0)
            continue;
        char stem[CURVE_NAME_MAX], path[4400];
        snprintf(stem, sizeof stem, "%.*s", (int) (n - 4), e->d_name);
        if (strcmp(stem, "server") == 0 || !s_valid_name(stem))
            continue;
        uint8_t candidate[32];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (curve_read(path, candidate) == 0 && memcmp(candidate, key, 32) == 0) {
            snprintf(name, CURVE_NAME_MAX, "%s", stem);
            found = 1;
        }
    }
    closedir(d);
    return found;
}

static int s_write(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    if (fd < 0)
        return -1;
    size_t len = strlen(text);
    int rc = write(fd, text, len) == (ssize_t) len ? 0 : -1;
    if (close(fd))
        rc = -1;
    return rc;
}

int curve_make_pair(const char *dir, const char *pub_file, const char *key_file)
{
    char pub_path[4200], key_path[4200], public[41], secret[41], line[48];
    snprintf(pub_path, sizeof pub_path, "%s/%s", dir, pub_file);
    snprintf(key_path, sizeof key_path, "%s/%s", dir, key_file);
    if (access(pub_path, F_OK) == 0)
        return 0;
    if (zmq_curve_keypair(public, secret)) {
        fprintf(stderr, "cannot make a key pair: %s\n", zmq_strerror(zmq_errno()));
        return -1;
    }
    snprintf(line, sizeof line, "%s\n", secret);
    int rc = s_write(key_path, line, 0600);
    snprintf(line, sizeof line, "%s\n", public);
    if (!rc)
        rc = s_write(pub_path, line, 0644);
    memset(secret, 0, sizeof secret);
    memset(line, 0, sizeof line);
    if (rc) {
        fprintf(stderr, "cannot write %s in %s: %s\n", key_file, dir, strerror(errno));
        return -1;
    }
    return 1;
}

/* Makes NAME's pair unless NAME.pub exists. Returns 1 made, 0 kept, -1. */
static int s_generate_pair(const char *dir, const char *name)
{
    char pub_file[CURVE_NAME_MAX + 8], key_file[CURVE_NAME_MAX + 8];
    snprintf(pub_file, sizeof pub_file, "%s.pub", name);
    snprintf(key_file, sizeof key_file, "%s.key", name);
    return curve_make_pair(dir, pub_file, key_file);
}

int curve_generate(const char *dir, const char *const *names, size_t n)
{
    if (mkdir(dir, 0700) && errno != EEXIST) {
        fprintf(stderr, "cannot make %s: %s\n", dir, strerror(errno));
        return -1;
    }
    int made = 0, rc = s_generate_pair(dir, "server");
    if (rc < 0)
        return -1;
    made += rc;
    for (size_t i = 0; i < n; i++) {
        if (!s_valid_name(names[i]) || strcmp(names[i], "server") == 0) {
            fprintf(stderr, "a key name is lowercase letters, digits, - and _, not 'server': %s\n",
                    names[i]);
            return -1;
        }
        if ((rc = s_generate_pair(dir, names[i])) < 0)
            return -1;
        made += rc;
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/actors", dir);
    if (access(path, F_OK) != 0) {
        char text[256] = "# keys whose requests may name an actor (act for a person)\n";
        for (size_t i = 0; i < sizeof s_default_actors / sizeof *s_default_actors; i++) {
            strcat(text, s_default_actors[i]);
            strcat(text, "\n");
        }
        if (s_write(path, text, 0644)) {
            fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
            return -1;
        }
    }
    return made;
}

void curve_reset(void)
{
    memset(&s_curve, 0, sizeof s_curve);
}
