#include "meeting.h"

#include <errno.h>
#include <openssl/rand.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "council.h"
#include "db.h"
#include "queries.h"
#include "rule.h"
#include "seal.h"
#include "text.h"

static const char *s_str(const char *s)
{
    return s ? s : "";
}

/* The latest meeting of the matter. */
typedef struct {
    int64_t id, starts_ms, closed_ms;
    char ballot[8];
    int allow_change;
    char quorum[24], majority[24];
    char tally_key[TALLYKEY_Z85]; /* a secret ballot's, "" when convened before sealing */
    char roster_kind[16];
    int election;                 /* its motion is a slate for the standing council */
} meeting_ref_t;

static int s_meeting(delib_t *d, int64_t matter_id, meeting_ref_t *out, apperr_t *err)
{
    char ids[24];
    PGresult *res = delib_exec(d, Q_MEETING, 1, (const char *[]){delib_i64(ids, matter_id)}, err);
    if (!res)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return apperr_fail(err, "NO_MEETING", "no meeting has been convened on this matter", NULL,
                          NULL);
    }
    out->id = delib_cell_i64(res, 0, 0);
    snprintf(out->ballot, sizeof out->ballot, "%s", PQgetvalue(res, 0, 1));
    out->allow_change = PQgetvalue(res, 0, 2)[0] == 't';
    out->starts_ms = delib_cell_i64(res, 0, 3);
    out->closed_ms = delib_cell_i64(res, 0, 4);
    snprintf(out->quorum, sizeof out->quorum, "%s", PQgetvalue(res, 0, 5));
    snprintf(out->majority, sizeof out->majority, "%s", PQgetvalue(res, 0, 6));
    snprintf(out->tally_key, sizeof out->tally_key, "%s", PQgetvalue(res, 0, 8));
    snprintf(out->roster_kind, sizeof out->roster_kind, "%s", PQgetvalue(res, 0, 9));
    out->election = delib_cell_i64(res, 0, 10) > 0;
    PQclear(res);
    return 0;
}

/* A secret ballot needs the tally key (delib.h); with `meeting_key` (a
 * sitting meeting's, "" when it has none) also the key it was convened with:
 * ballots sealed to one key open only with it. */
static int s_tally(const delib_t *d, const char *meeting_key, apperr_t *err)
{
    if (!d->tally && d->tally_rc == -ENOENT)
        return apperr_fail(err, "TALLY_KEY_MISSING",
                          "the deployment has no tally key: secret ballots are off",
                          "make it with govctl keys generate DIR and start the service with "
                          "GOV_KEYS_DIR=DIR",
                          NULL);
    if (!d->tally)
        return apperr_fail(err, "TALLY_KEY_BAD",
                          "the tally key is malformed or its halves do not match",
                          "restore tally.public and tally.secret in GOV_KEYS_DIR", NULL);
    if (meeting_key && *meeting_key && strcmp(meeting_key, d->tally->public_z85) != 0)
        return apperr_fail(err, "TALLY_KEY_CHANGED",
                          "the tally key is not the one the meeting was convened with",
                          "restore the meeting's tally key in GOV_KEYS_DIR",
                          "the meeting's key is %s, the service's %s", meeting_key,
                          d->tally->public_z85);
    return 0;
}

/* The matter must have an open meeting whose notice period is over. */
static int s_sitting(delib_t *d, const matter_ref_t *m, meeting_ref_t *mt, const char *what,
                     apperr_t *err)
{
    if (strcmp(m->step, "convened") != 0) {
        if (s_meeting(d, m->id, mt, err) == 0 && mt->closed_ms)
            return apperr_fail(err, "MEETING_CLOSED", "the meeting is closed", NULL,
                              "matter %lld is %s", (long long) m->id, m->step);
        return matter_require(m, "convened", what, err);
    }
    if (s_meeting(d, m->id, mt, err))
        return -1;
    if (svclock_now_ms(d->clock) < mt->starts_ms)
        return apperr_fail(err, "NOTICE_PERIOD", "the meeting has not started: its notice period runs",
                          "attendance and votes open at the meeting's start",
                          "starts at %lld ms", (long long) mt->starts_ms);
    return 0;
}

static int s_on_roster(delib_t *d, int64_t meeting_id, int64_t person_id, apperr_t *err)
{
    char b[2][24];
    PGresult *res = delib_exec(d, Q_ON_ROSTER, 2,
                               (const char *[]){delib_i64(b[0], meeting_id),
                                                delib_i64(b[1], person_id)},
                               err);
    if (!res)
        return -1;
    int on = PQntuples(res) == 1;
    PQclear(res);
    return on ? 0
              : apperr_fail(err, "NOT_ON_ROSTER", "the person is not on the meeting's roster", NULL,
                           NULL);
}

/* --- convene ------------------------------------------------------------------ */

static int s_quorum_col(const char *kind)
{
    if (strcmp(kind, "residents") == 0)
        return 3;
    if (strcmp(kind, "households") == 0)
        return 4;
    if (strcmp(kind, "representatives") == 0)
        return 5;
    if (strcmp(kind, "council") == 0)
        return 6;
    return -1;
}

/* A council meeting's roster is the community's standing council in its
 * term (seed 002): elected, not named per meeting. */
static int s_council(delib_t *d, const matter_ref_t *m, int64_t meeting,
                     const Gov__ConveneMeeting *p, apperr_t *err)
{
    if (p->n_council)
        return apperr_fail(err, "BAD_COUNCIL",
                          "the council is the standing 村务商议团: its members are elected, not named",
                          "elect it: convene the representatives with --elect", NULL);
    char b[3][24];
    PGresult *res = delib_exec(d, Q_ROSTER_COUNCIL, 3,
                               (const char *[]){delib_i64(b[0], meeting),
                                                delib_i64(b[1], m->community_id),
                                                delib_i64(b[2], svclock_now_ms(d->clock))},
                               err);
    if (!res)
        return -1;
    long n = atol(PQcmdTuples(res));
    PQclear(res);
    if (n == 0)
        return apperr_fail(err, "NO_COUNCIL", "the community has no standing council in its term",
                          "elect one: convene the representatives with --elect", NULL);
    return 0;
}

int meeting_convene(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                    delib_result_t *out, apperr_t *err)
{
    const Gov__ConveneMeeting *p = (const Gov__ConveneMeeting *) msg;
    who_t w;
    matter_ref_t m;
    out->matter_id = p->matter_id;
    if (who_load(d, env->actor, &w, err) || matter_lock(d, p->matter_id, &m, err) ||
        who_require_party(&w, &m, err) ||
        matter_require(&m, "discussed undecided", "convening a meeting", err))
        return -1;
    const char *kind = s_str(p->roster_kind), *ballot = s_str(p->ballot);
    int col = s_quorum_col(kind);
    if (col < 0)
        return apperr_fail(err, "BAD_ROSTER", "the roster is residents, households, representatives or council",
                          NULL, "got \"%s\"", kind);
    if (strcmp(ballot, "open") != 0 && strcmp(ballot, "secret") != 0)
        return apperr_fail(err, "BAD_BALLOT", "the ballot is open or secret", NULL, "got \"%s\"",
                          ballot);
    int secret = strcmp(ballot, "secret") == 0;
    if (secret && s_tally(d, NULL, err))
        return -1;
    if (p->allow_change && secret)
        return apperr_fail(err, "BAD_BALLOT", "a secret ballot cannot allow changing a vote",
                          "changing a vote needs to know whose it was; use an open ballot", NULL);
    if (text_check(p->motion, TEXT_BODY, 1, "motion", err))
        return -1;
    if (strcmp(kind, "council") != 0 && p->n_council)
        return apperr_fail(err, "BAD_COUNCIL", "members are named only for a council", NULL, NULL);
    int election = p->n_elect > 0 || p->term_months != 0;
    if (election && council_check_slate(d, &m, p, err))
        return -1;
    PGresult *rules = matter_rules(d, m.community_id, err);
    if (!rules)
        return -1;
    char quorum[24], majority[24];
    snprintf(quorum, sizeof quorum, "%s", PQgetvalue(rules, 0, col));
    snprintf(majority, sizeof majority, "%s", PQgetvalue(rules, 0, 7));
    int64_t notice = delib_cell_i64(rules, 0, 8) * 60 * 1000LL;
    PQclear(rules);
    /* Checked now, not at close: a meeting whose rules cannot be counted
     * could never close, and would hold the matter's one open meeting. */
    rule_t parsed;
    if (rule_parse(quorum, &parsed) || rule_parse(majority, &parsed))
        return apperr_fail(err, "BAD_RULES", "the community's voting rules cannot be counted",
                          "fix the quorum and majority in deliberation_rules (e.g. >1/2, >=2/3)",
                          "quorum %s, majority %s", quorum, majority);
    int64_t now = svclock_now_ms(d->clock);
    if (p->starts_ms < now + notice)
        return apperr_fail(err, "NOTICE_TOO_SHORT", "the meeting must be announced in advance",
                          "start it at least the community's notice_minutes from now",
                          "earliest start %lld ms", (long long) (now + notice));
    char b[5][24];
    char *slate = db_text_array(p->elect, p->n_elect);
    const char *params[] = {delib_i64(b[0], m.id), kind, ballot, p->allow_change ? "t" : "f",
                            p->motion, quorum, majority, delib_i64(b[1], now),
                            delib_i64(b[2], p->starts_ms), secret ? d->tally->public_z85 : NULL,
                            slate, election ? delib_i64(b[4], p->term_months) : NULL};
    PGresult *res = slate ? delib_exec(d, Q_INSERT_MEETING, 12, params, err) : NULL;
    free(slate);
    if (!res)
        return -1;
    out->meeting_id = delib_cell_i64(res, 0, 0);
    PQclear(res);
    delib_i64(b[3], out->meeting_id);
    if (strcmp(kind, "council") == 0) {
        if (s_council(d, &m, out->meeting_id, p, err))
            return -1;
    } else if (delib_run(d, Q_ROSTER_FILL, 3, (const char *[]){b[3], b[0], kind}, err)) {
        return -1;
    }
    if (!(res = delib_exec(d, Q_ROSTER_SIZE, 1, (const char *[]){b[3]}, err)))
        return -1;
    int64_t size = delib_cell_i64(res, 0, 0);
    PQclear(res);
    if (size == 0)
        return apperr_fail(err, "EMPTY_ROSTER", "nobody in the matter's scope is on that roster",
                          NULL, "roster kind %s", kind);
    if (matter_move(d, m.id, "convened", NULL, 0, err))
        return -1;
    if (!(res = delib_exec(d, Q_ROSTER_CODES, 1, (const char *[]){b[3]}, err)))
        return -1;
    size_t n = (size_t) PQntuples(res);
    char **audience = calloc(n + 1, sizeof *audience);
    for (size_t i = 0; audience && i < n; i++)
        audience[i] = PQgetvalue(res, (int) i, 0);
    json_t *body = json_pack("{s:I, s:s, s:s, s:b, s:s, s:I, s:I, s:s, s:s}", "meeting_id",
                             (json_int_t) out->meeting_id, "roster_kind", kind, "ballot", ballot,
                             "allow_change", p->allow_change, "motion", p->motion, "starts_ms",
                             (json_int_t) p->starts_ms, "roster_size", (json_int_t) size,
                             "quorum", quorum, "majority", majority);
    if (body && election) {
        json_t *names = json_array();
        for (size_t i = 0; i < p->n_elect; i++)
            json_array_append_new(names, json_string(p->elect[i]));
        json_object_set_new(body, "elect", names);
        json_object_set_new(body, "term_months", json_integer(p->term_months));
    }
    int rc = audience ? matter_record(d, m.id, "convened", w.code, body, "MeetingConvened", env,
                                      audience, n, err)
                      : apperr_fail(err, "INTERNAL", "out of memory", NULL, NULL);
    if (!audience)
        json_decref(body);
    free(audience);
    PQclear(res);
    return rc;
}

/* --- attend and vote ------------------------------------------------------------ */

int meeting_attend(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                   delib_result_t *out, apperr_t *err)
{
    const Gov__AttendMeeting *p = (const Gov__AttendMeeting *) msg;
    who_t w, who;
    matter_ref_t m;
    meeting_ref_t mt;
    out->matter_id = p->matter_id;
    if (who_load(d, env->actor, &w, err) || matter_lock(d, p->matter_id, &m, err) ||
        s_sitting(d, &m, &mt, "attendance", err))
        return -1;
    int for_other = p->person && p->person[0] && strcmp(p->person, w.code) != 0;
    if (for_other) {
        /* The party committee, which convened the meeting, records who came. */
        Gov__Actor other = GOV__ACTOR__INIT;
        other.id = p->person;
        if (who_require_party(&w, &m, err) || who_load(d, &other, &who, err))
            return -1;
    } else {
        who = w;
    }
    if (s_on_roster(d, mt.id, who.person_id, err))
        return -1;
    char b[3][24];
    const char *params[] = {delib_i64(b[0], mt.id), delib_i64(b[1], who.person_id),
                            delib_i64(b[2], svclock_now_ms(d->clock))};
    PGresult *res = delib_exec(d, Q_ATTEND, 3, params, err);
    if (!res)
        return -1;
    int fresh = PQntuples(res) == 1;
    PQclear(res);
    if (!fresh)
        return apperr_fail(err, "ALREADY_ATTENDED", "the attendance is recorded already", NULL,
                          NULL);
    out->meeting_id = mt.id;
    return matter_record(d, m.id, "attended", w.code,
                         json_pack("{s:I, s:s}", "meeting_id", (json_int_t) mt.id, "person",
                                   who.code),
                         NULL, env, NULL, 0, err);
}

static int s_receipt(char out[33], char hash[65])
{
    unsigned char raw[16];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return -1;
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    chain_sha256_hex(out, 32, hash);
    return 0;
}

/* Stores a secret ballot's vote sealed to the tally key: nothing in the
 * database says how this voter voted until the meeting closes. */
static int s_seal(delib_t *d, int64_t meeting_id, const char *hash, const char *choice,
                  apperr_t *err)
{
    uint8_t sealed[SEAL_BYTES];
    char hex[2 + 2 * SEAL_BYTES + 1] = "\\x", ids[24];
    if (seal_ballot(d->tally->public_key, meeting_id, hash, choice, sealed))
        return apperr_fail(err, "INTERNAL", "the ballot could not be sealed", NULL, NULL);
    for (size_t i = 0; i < SEAL_BYTES; i++)
        snprintf(hex + 2 + 2 * i, 3, "%02x", sealed[i]);
    return delib_run(d, Q_SEAL, 2, (const char *[]){delib_i64(ids, meeting_id), hex}, err);
}

int meeting_vote(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                 delib_result_t *out, apperr_t *err)
{
    const Gov__CastVote *p = (const Gov__CastVote *) msg;
    who_t w;
    matter_ref_t m;
    meeting_ref_t mt;
    out->matter_id = p->matter_id;
    if (who_load(d, env->actor, &w, err) || matter_lock(d, p->matter_id, &m, err) ||
        s_sitting(d, &m, &mt, "voting", err) || s_on_roster(d, mt.id, w.person_id, err))
        return -1;
    const char *choice = s_str(p->choice);
    if (strcmp(choice, "yes") != 0 && strcmp(choice, "no") != 0 && strcmp(choice, "abstain") != 0)
        return apperr_fail(err, "BAD_CHOICE", "a vote is yes, no or abstain", NULL, "got \"%s\"",
                          choice);
    int secret = strcmp(mt.ballot, "secret") == 0;
    if (secret && s_tally(d, mt.tally_key, err))
        return -1;
    char b[3][24], receipt[33], hash[65];
    const char *params[] = {delib_i64(b[0], mt.id), delib_i64(b[1], w.person_id),
                            delib_i64(b[2], svclock_now_ms(d->clock))};
    /* A secret ballot's row says who voted, not when. */
    const char *ballot[] = {b[0], b[1], secret ? NULL : b[2]};
    PGresult *res = delib_exec(d, Q_BALLOT, 3, ballot, err);
    if (!res)
        return -1;
    int first = PQntuples(res) == 1;
    PQclear(res);
    if (!first) {
        if (!mt.allow_change)
            return apperr_fail(err, "ALREADY_VOTED", "you have voted in this meeting already",
                              NULL, NULL);
        if (delib_run(d, Q_VOTE_SUPERSEDE, 2, params, err))
            return -1;
    }
    if (delib_run(d, Q_ATTEND, 3, params, err))
        return -1;
    if (s_receipt(receipt, hash))
        return apperr_fail(err, "INTERNAL", "no randomness for a receipt", NULL, NULL);
    if (secret ? s_seal(d, mt.id, hash, choice, err)
               : delib_run(d, Q_VOTE, 5, (const char *[]){b[0], hash, choice, b[1], b[2]}, err))
        return -1;
    out->meeting_id = mt.id;
    out->secret = secret;
    memcpy(out->receipt, receipt, sizeof receipt);
    /* A secret ballot's entry says who voted, never how. */
    json_t *body = secret ? json_pack("{s:I, s:s}", "meeting_id", (json_int_t) mt.id, "person", w.code)
                          : json_pack("{s:I, s:s, s:s, s:s, s:b}", "meeting_id", (json_int_t) mt.id,
                                      "person", w.code, "choice", choice, "receipt_hash", hash,
                                      "changed", !first);
    return matter_record(d, m.id, secret ? "ballot" : "vote", w.code, body, NULL, env, NULL, 0, err);
}

/* --- close and count ------------------------------------------------------------- */

/* "{a,b,...}" of `n` votes' hashes (`choice` 0) or choices (1). NULL when out
 * of memory; the caller frees. */
static char *s_array(const seal_vote_t *v, size_t n, int choice)
{
    size_t cap = 3 + n * 66, len = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    out[len++] = '{';
    for (size_t i = 0; i < n; i++)
        len += (size_t) snprintf(out + len, cap - len, "%s%s", i ? "," : "",
                                 choice ? v[i].choice : v[i].hash);
    snprintf(out + len, cap - len, "}");
    return out;
}

/* A secret ballot at close: opens every sealed vote, writes them all in one
 * statement in receipt-hash order (so the rows' xmin is the close's and
 * their physical order the hashes'), and removes the sealed rows. Refuses,
 * and the caller's rollback changes nothing, when the tally key is missing
 * or not the meeting's, when a ballot does not open (BALLOT_UNREADABLE), or
 * when the sealed ballots are not one per voter without a vote
 * (BALLOTS_MISMATCH: added, removed or copied in the database). */
static int s_open_sealed(delib_t *d, const meeting_ref_t *mt, apperr_t *err)
{
    char ids[24];
    const char *id[] = {delib_i64(ids, mt->id)};
    PGresult *want = delib_exec(d, Q_SEALED_EXPECTED, 1, id, err);
    if (!want)
        return -1;
    int64_t expected = delib_cell_i64(want, 0, 0);
    PQclear(want);
    PGresult *res = delib_exec(d, Q_SEALED, 1, id, err);
    if (!res)
        return -1;
    size_t n = (size_t) PQntuples(res);
    seal_vote_t *votes = NULL;
    char *hashes = NULL, *choices = NULL;
    int rc = -1;
    if (n == 0 && expected == 0) {
        rc = 0; /* nobody voted sealed */
        goto done;
    }
    if (s_tally(d, mt->tally_key, err))
        goto done;
    if ((int64_t) n != expected) {
        apperr_fail(err, "BALLOTS_MISMATCH", "the sealed ballots do not match who voted",
                   "a sealed ballot was added or removed in the database; nothing was counted",
                   "%zu sealed ballots for %lld voters", n, (long long) expected);
        goto done;
    }
    if (!(votes = calloc(n, sizeof *votes))) {
        apperr_fail(err, "INTERNAL", "out of memory", NULL, NULL);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        unsigned char *raw = PQunescapeBytea((const unsigned char *) PQgetvalue(res, (int) i, 0), &len);
        int bad = !raw || seal_open(d->tally, mt->id, raw, len, &votes[i]);
        PQfreemem(raw);
        if (bad) {
            apperr_fail(err, "BALLOT_UNREADABLE", "a sealed ballot does not open with the tally key",
                       "it was altered, or sealed to another key or meeting; nothing was counted",
                       "ballot %zu of %zu", i + 1, n);
            goto done;
        }
    }
    if (seal_sort(votes, n)) {
        apperr_fail(err, "BALLOTS_MISMATCH", "the sealed ballots do not match who voted",
                   "a sealed ballot was copied in the database; nothing was counted",
                   "two ballots carry the same receipt");
        goto done;
    }
    if (!(hashes = s_array(votes, n, 0)) || !(choices = s_array(votes, n, 1))) {
        apperr_fail(err, "INTERNAL", "out of memory", NULL, NULL);
        goto done;
    }
    if (delib_run(d, Q_VOTES_OPENED, 3, (const char *[]){ids, hashes, choices}, err) ||
        delib_run(d, Q_SEALED_DELETE, 1, id, err))
        goto done;
    rc = 0;
done:
    if (votes)
        sodium_memzero(votes, n * sizeof *votes);
    free(votes);
    free(hashes);
    free(choices);
    PQclear(res);
    return rc;
}

int meeting_close(delib_t *d, const Gov__Envelope *env, const ProtobufCMessage *msg,
                  delib_result_t *out, apperr_t *err)
{
    const Gov__MatterId *p = (const Gov__MatterId *) msg;
    who_t w;
    matter_ref_t m;
    meeting_ref_t mt;
    out->matter_id = p->matter_id;
    if (who_load(d, env->actor, &w, err) || matter_lock(d, p->matter_id, &m, err) ||
        who_require_party(&w, &m, err) || s_sitting(d, &m, &mt, "closing a meeting", err))
        return -1;
    rule_t quorum, majority;
    if (rule_parse(mt.quorum, &quorum) || rule_parse(mt.majority, &majority))
        return apperr_fail(err, "INTERNAL", "the meeting's rules do not parse", NULL, "%s %s",
                          mt.quorum, mt.majority);
    if (strcmp(mt.ballot, "secret") == 0 && s_open_sealed(d, &mt, err))
        return -1;
    char ids[24];
    PGresult *t = delib_exec(d, Q_TALLY, 1, (const char *[]){delib_i64(ids, mt.id)}, err);
    if (!t)
        return -1;
    int64_t roster = delib_cell_i64(t, 0, 0), attended = delib_cell_i64(t, 0, 1),
            yes = delib_cell_i64(t, 0, 2), no = delib_cell_i64(t, 0, 3),
            abstain = delib_cell_i64(t, 0, 4);
    char receipts[65];
    chain_sha256_hex(PQgetvalue(t, 0, 5), (size_t) PQgetlength(t, 0, 5), receipts);
    PQclear(t);
    tally_outcome_t outcome = rule_decide(&quorum, &majority, roster, attended, yes);
    int valid = outcome != TALLY_NO_QUORUM, passed = outcome == TALLY_PASSED;
    char b[6][24];
    const char *params[] = {ids, delib_i64(b[0], svclock_now_ms(d->clock)),
                            delib_i64(b[1], attended), delib_i64(b[2], yes), delib_i64(b[3], no),
                            delib_i64(b[4], abstain), valid ? "t" : "f", passed ? "t" : "f",
                            receipts};
    /* What the standing council agrees goes to the 两委 joint review (seed
     * 002: 村"两委"召开联席会议进行审议): its vote is not the decision. */
    int council = strcmp(mt.roster_kind, "council") == 0;
    const char *step = passed ? (council ? "reviewing" : "decided") : valid ? "rejected" : "undecided";
    if (delib_run(d, Q_CLOSE_MEETING, 9, params, err) || matter_move(d, m.id, step, NULL, 0, err))
        return -1;
    out->meeting_id = mt.id;
    json_t *body = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:b, s:b, s:s, s:I}",
                             "meeting_id", (json_int_t) mt.id, "roster", (json_int_t) roster,
                             "attended", (json_int_t) attended, "yes", (json_int_t) yes, "no",
                             (json_int_t) no, "abstain", (json_int_t) abstain, "quorum", mt.quorum,
                             "majority", mt.majority, "valid", valid, "passed", passed,
                             "receipts_hash", receipts, "quorum_needed",
                             (json_int_t) rule_needed(&quorum, roster));
    if (matter_record(d, m.id, "meeting_closed", w.code, body, "MeetingClosed", env, NULL, 0, err))
        return -1;
    return passed && mt.election
               ? council_install(d, &m, mt.id, svclock_now_ms(d->clock), env, w.code, err)
               : 0;
}

int meeting_check_receipt(delib_t *d, const Gov__CheckReceipt *p, Gov__CheckReceiptReply *out,
                          char choice[12], apperr_t *err)
{
    const char *receipt = s_str(p->receipt);
    if (strlen(receipt) != 32)
        return apperr_fail(err, "BAD_RECEIPT", "a receipt is 32 hex characters", NULL, NULL);
    char hash[65], ids[24];
    chain_sha256_hex(receipt, 32, hash);
    PGresult *res = delib_exec(d, Q_RECEIPT, 2, (const char *[]){delib_i64(ids, p->matter_id), hash},
                               err);
    if (!res)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        /* A vote of a secret ballot still sitting is sealed: not even the
         * service looks before close. */
        if (!(res = delib_exec(d, Q_SECRET_SITTING, 1, (const char *[]){ids}, err)))
            return -1;
        int sealed = PQntuples(res) > 0;
        PQclear(res);
        return sealed ? apperr_fail(err, "BALLOT_SEALED",
                                   "the secret ballot is sealed until the meeting closes",
                                   "check the receipt after the meeting has closed", NULL)
                      : apperr_fail(err, "NOT_FOUND", "no vote has this receipt", NULL, NULL);
    }
    snprintf(choice, 12, "%s", PQgetvalue(res, 0, 0));
    out->counted = PQgetvalue(res, 0, 1)[0] == 't';
    out->meeting_id = delib_cell_i64(res, 0, 2);
    out->choice = choice;
    PQclear(res);
    return 0;
}
