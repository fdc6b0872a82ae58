#!/usr/bin/env bash
# A secret ballot against a reader who can run SELECT on every table (and
# read the statement statistics): real gov-deliberation, real PostgreSQL.
# Twelve household representatives vote 4 yes, 4 no, 4 abstain. A reader
# role with SELECT only then tries every pairing of who (meeting_ballots,
# attendance, the matter's record, the requests table) with how
# (meeting_votes, meeting_sealed): equal xmin, physical order (ctid), time
# order, the order rows appeared in while the reader watched, and the
# statement statistics each vote left — before the meeting closes and after.
# Each pairing's guess of who voted what is scored against the truth: none may
# do better than the public tally alone (guessing everyone voted the largest
# choice: 4 of 12), and the orders the reader sees after close must be the
# receipt-hash order, which is random and says nothing of who. Then: every
# receipt still verifies, and a missing, tampered or swapped tally key, or a
# tampered or stuffed sealed ballot, is refused with its code and changes
# nothing.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
. tests/cli/tap.sh
bin=${GOV_BIN:-build/bin}
govctl="$bin/govctl"
db=cli_ballot_secrecy
. tests/cli/lib.sh
test_db "$db"
export GOV_ROUTING_EVENTS="tcp://127.0.0.1:$(free_port)"
export GOV_DELIBERATION_ENDPOINT="tcp://127.0.0.1:$(free_port)" GOV_DELIBERATION_EVENTS="tcp://127.0.0.1:$(free_port)"
export GOV_DELIBERATION_HTTP_PORT=$(free_port) GOV_SUB_SILENCE_MS=300 GOV_TEST_CLOCK=1
trap 'stop_services; service_reports "$tmp"; rm -rf "$tmp"' EXIT
start_service deliberation
M() { "$govctl" matter "$@"; }
C="--as p.cm.s1.c1.head --unit cm.s1.c1"
PC="--as p.pc.s1.c1.secretary --unit pc.s1.c1"   # the party committee (社区党委): accepts, convenes, closes, publishes
DAY=86400000
advance() { M clock "$1" >"$tmp/clock" 2>&1; }
keys=$GOV_KEYS_DIR

# The reader: a role that may SELECT every table and read the statistics
# views, and nothing else.
q "DROP ROLE IF EXISTS ballot_reader" >/dev/null 2>&1
q "CREATE ROLE ballot_reader LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO ballot_reader; GRANT pg_read_all_stats TO ballot_reader" >/dev/null
READER_URL="postgresql://ballot_reader@127.0.0.1:$GOV_TEST_PG_PORT/$db"
R() { psql -tA -F ' ' "$READER_URL" -c "$1"; }
# Statement statistics: pg_stat_statements when the cluster preloads it
# (deploy/pg.sh does), else the per-table counters.
stats=tables
if q "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null 2>&1 &&
    R "SELECT count(*) FROM pg_stat_statements" >/dev/null 2>&1; then
    stats=statements
fi
echo "# statement statistics from: $stats"
# What the service's statements did so far, as the reader sees it: one line
# per statement (or table), with its counters.
stat_rows() {
    if [ "$stats" = statements ]; then
        R "SELECT queryid, calls, rows FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = 'postgres' AND s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND s.query ILIKE '%meeting%' ORDER BY queryid"
    else
        R "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables WHERE relname IN ('meeting_ballots', 'meeting_attendance', 'meeting_votes', 'meeting_sealed') ORDER BY relname"
    fi
}

# stat_delta BEFORE AFTER: what each statement's (or table's) counters moved
# by between two readings, as one short digest.
stat_delta() {
    python3 - "$1" "$2" <<'EOF'
import hashlib, sys
def read(path):
    rows = {}
    for line in open(path):
        f = line.split()
        if f:
            rows[f[0]] = [int(x) for x in f[1:]]
    return rows
a, b = read(sys.argv[1]), read(sys.argv[2])
moved = sorted((k, tuple(x - y for x, y in zip(v, a.get(k, [0] * len(v)))))
               for k, v in b.items() if v != a.get(k))
print(hashlib.sha256(repr(moved).encode()).hexdigest()[:12])
EOF
}

# --- a matter, discussed, and a secret meeting of the household representatives
expect_status "a resident proposes a matter" 0 M --as r.s1.c1.g1.1.1 propose --scope community --area demo.s1.c1 --title 垃圾分类 --text 设置分类回收点
A=$(json "d['item']['id']")
expect_status "... the committee accepts it with a one-hour window" 0 M $PC accept "$A" --hours 1
expect_status "a second matter, for convening without a key" 0 M --as r.s1.c1.g2.1.1 propose --scope community --area demo.s1.c1 --title 停车位 --text 划定停车位
B=$(json "d['item']['id']")
expect_status "... accepted with a one-hour window" 0 M $PC accept "$B" --hours 1
advance $((2 * 3600000))
check "... and when the window ends it is discussed" until_q "SELECT step FROM matters WHERE id = $A" discussed
check "... so is the second" until_q "SELECT step FROM matters WHERE id = $B" discussed
now_ms=$(python3 -c "import json; print(json.load(open('$tmp/clock'))['now_ms'])")
expect_status "the committee convenes the household representatives, secret ballot" 0 M $PC convene "$A" --roster households --ballot secret --motion 设置分类回收点 --starts-ms $((now_ms + 7 * DAY + 60000))
mt=$(q "SELECT max(id) FROM meetings WHERE matter_id = $A")
advance $((7 * DAY + 120000))

voters=(r.s1.c1.g1.1.1 r.s1.c1.g1.2.1 r.s1.c1.g1.3.1 r.s1.c1.g1.4.1 r.s1.c1.g1.5.1 r.s1.c1.g2.1.1
    r.s1.c1.g2.2.1 r.s1.c1.g2.3.1 r.s1.c1.g2.4.1 r.s1.c1.g2.5.1 r.s1.c1.g3.1.1 r.s1.c1.g3.2.1)
choices=(yes no abstain no yes abstain abstain yes no yes abstain no)
nv=${#voters[@]}
: >"$tmp/truth" && : >"$tmp/guess.live" && : >"$tmp/signatures" && : >"$tmp/receipts"
# The reader watches while the meeting sits: after each vote, the rows of
# meeting_votes (and meeting_sealed, when there is one) it has not seen yet,
# and what the statistics moved by.
seen_votes() { R "SELECT v.ctid, v.choice FROM meeting_votes v WHERE v.meeting_id = $mt ORDER BY v.ctid"; }
stat_rows >"$tmp/stats.before"
seen_votes >"$tmp/seen.before"
voted=0
for i in $(seq 0 $((nv - 1))); do
    p=${voters[$i]} c=${choices[$i]}
    echo "$p $c" >>"$tmp/truth"
    if M --as "$p" vote "$A" --choice "$c" >"$tmp/out" 2>"$tmp/err"; then
        voted=$((voted + 1))
        echo "$p $c $(json "d['receipt']")" >>"$tmp/receipts"
    else
        echo "# vote of $p: $(head -2 "$tmp/err")"
    fi
    if [ "$stats" = tables ]; then # the counters reach the views when the backend flushes them
        wait_until 5 test "$(stat_rows)" != "$(cat "$tmp/stats.before")"
    fi
    stat_rows >"$tmp/stats.after"
    seen_votes >"$tmp/seen.after"
    # the live pairing: the new row's choice is this voter's
    new=$(comm -13 <(sort "$tmp/seen.before") <(sort "$tmp/seen.after") | awk '{print $2}' | head -1)
    [ -z "$new" ] || echo "$p $new" >>"$tmp/guess.live"
    # what the statistics moved by, whatever the choice
    echo "$(stat_delta "$tmp/stats.before" "$tmp/stats.after") $p" >>"$tmp/signatures"
    mv "$tmp/stats.after" "$tmp/stats.before"
    mv "$tmp/seen.after" "$tmp/seen.before"
done
check "twelve household representatives vote and get receipts" test "$voted" = 12

# score NAME FILE: the guess in FILE (lines "person choice") against the
# truth; passes when it gets no more right than the tally alone (4 of 12).
baseline=4
score() {
    local right
    right=$(python3 - "$tmp/truth" "$2" <<'EOF'
import sys
truth = dict(l.split()[:2] for l in open(sys.argv[1]) if l.strip())
guess = dict(l.split()[:2] for l in open(sys.argv[2]) if len(l.split()) >= 2)
print(sum(1 for p, c in guess.items() if truth.get(p) == c))
EOF
)
    if [ "$right" -le "$baseline" ]; then ok "$1 ($right of $nv right; the tally alone gives $baseline)"
    else not_ok "$1" "the reader guessed $right of $nv votes right; the tally alone gives $baseline"; fi
}
# pairings WHEN: every pairing a SELECT can make, scored.
pairings() {
    local when=$1
    # rows written by one transaction share xmin
    R "SELECT p.code, v.choice FROM meeting_ballots b JOIN people p ON p.id = b.person_id
       JOIN meeting_votes v ON v.meeting_id = b.meeting_id AND v.xmin = b.xmin WHERE b.meeting_id = $mt" >"$tmp/g"
    score "$when: who and how joined on xmin of meeting_ballots" "$tmp/g"
    R "SELECT r.actor, v.choice FROM matter_records r JOIN meeting_votes v ON v.xmin = r.xmin
       WHERE r.matter_id = $A AND r.kind = 'ballot' AND v.meeting_id = $mt" >"$tmp/g"
    score "$when: ... on xmin of the matter's record" "$tmp/g"
    R "SELECT p.code, v.choice FROM meeting_attendance a JOIN people p ON p.id = a.person_id
       JOIN meeting_votes v ON v.meeting_id = a.meeting_id AND v.xmin = a.xmin WHERE a.meeting_id = $mt" >"$tmp/g"
    score "$when: ... on xmin of meeting_attendance" "$tmp/g"
    # both tables' physical order
    R "WITH b AS (SELECT p.code, row_number() OVER (ORDER BY b.ctid) k FROM meeting_ballots b
                  JOIN people p ON p.id = b.person_id WHERE b.meeting_id = $mt),
            v AS (SELECT choice, row_number() OVER (ORDER BY ctid) k FROM meeting_votes WHERE meeting_id = $mt)
       SELECT b.code, v.choice FROM b JOIN v USING (k)" >"$tmp/g.ctid"
    # time order: the ballots' own time, else the attendance's or the record's
    R "WITH b AS (SELECT r.actor AS code, row_number() OVER (ORDER BY r.at_ms, r.n) k FROM matter_records r
                  WHERE r.matter_id = $A AND r.kind = 'ballot'),
            v AS (SELECT choice, row_number() OVER (ORDER BY at_ms, ctid) k FROM meeting_votes WHERE meeting_id = $mt)
       SELECT b.code, v.choice FROM b JOIN v USING (k)" >"$tmp/g.time"
    R "WITH b AS (SELECT p.code, row_number() OVER (ORDER BY b.at_ms, b.ctid) k FROM meeting_ballots b
                  JOIN people p ON p.id = b.person_id WHERE b.meeting_id = $mt),
            v AS (SELECT choice, row_number() OVER (ORDER BY at_ms, ctid) k FROM meeting_votes WHERE meeting_id = $mt)
       SELECT b.code, v.choice FROM b JOIN v USING (k)" >"$tmp/g.btime"
    # the reader's order of the receipt hashes (what the tally publishes)
    R "WITH b AS (SELECT p.code, row_number() OVER (ORDER BY b.ctid) k FROM meeting_ballots b
                  JOIN people p ON p.id = b.person_id WHERE b.meeting_id = $mt),
            v AS (SELECT choice, row_number() OVER (ORDER BY receipt_hash) k FROM meeting_votes WHERE meeting_id = $mt)
       SELECT b.code, v.choice FROM b JOIN v USING (k)" >"$tmp/g.hash"
    local rows
    rows=$(R "SELECT count(*) FROM meeting_votes WHERE meeting_id = $mt")
    if [ "$rows" = 0 ]; then
        score "$when: ... on physical order (ctid)" "$tmp/g.ctid"
        score "$when: ... on time order of the record" "$tmp/g.time"
        score "$when: ... on time order of meeting_ballots" "$tmp/g.btime"
    else
        # Order-based pairings pair the k-th voter with the k-th vote row: a
        # random order gets some right by luck. What must hold is that the
        # order of the vote rows is the receipt hashes' (random, drawn
        # independently of who voted), so whatever such a guess gets right,
        # it got by chance; and it must not be the whole truth.
        check "$when: the votes' physical order is receipt-hash order" cmp -s "$tmp/g.ctid" "$tmp/g.hash"
        check "$when: the votes' time order is receipt-hash order" cmp -s "$tmp/g.time" "$tmp/g.hash"
        check "$when: ... and so is meeting_ballots' time order" cmp -s "$tmp/g.btime" "$tmp/g.hash"
        local f
        for f in ctid time btime; do
            right=$(python3 -c "
t = dict(l.split()[:2] for l in open('$tmp/truth'))
g = dict(l.split()[:2] for l in open('$tmp/g.$f') if len(l.split()) >= 2)
print(sum(1 for p, c in g.items() if t.get(p) == c))")
            echo "# $when: the $f-order pairing gets $right of $nv right by chance (the tally alone: $baseline)"
            check "$when: ... the $f-order pairing does not recover the ballot" test "$right" -lt "$nv"
        done
    fi
    check "$when: no vote row carries a person or a time" test "$(R "SELECT count(*) FROM meeting_votes WHERE meeting_id = $mt AND (person_id IS NOT NULL OR at_ms IS NOT NULL)")" = 0
    check "$when: no ballot row carries a time finer than the meeting" test "$(R "SELECT count(*) FROM meeting_ballots WHERE meeting_id = $mt AND at_ms IS NOT NULL")" = 0
}

# --- while the meeting sits ------------------------------------------------------
score "during: the rows that appeared after each vote, as the reader watched" "$tmp/guess.live"
groups=$(awk '{print $1}' "$tmp/signatures" | sort -u | wc -l)
if [ "$groups" = 1 ]; then ok "during: the statement statistics moved the same for every vote, whatever its choice"
else not_ok "during: the statement statistics tell votes apart" "$(cat "$tmp/signatures")"; fi
pairings before
check "before close: no choice is readable in the database" test "$(R "SELECT count(*) FROM meeting_votes WHERE meeting_id = $mt")" = 0
check "... each ballot is sealed, all the same length" test "$(R "SELECT count(*) || ' ' || count(DISTINCT octet_length(sealed)) FROM meeting_sealed WHERE meeting_id = $mt")" = "12 1"
first=$(head -1 "$tmp/receipts")
expect_status "before close a receipt cannot be checked" 1 M --as "${first%% *}" receipt "$A" --receipt "${first##* }"
contains "... BALLOT_SEALED" "$tmp/err" BALLOT_SEALED

# --- refusals: the tally key missing, tampered or swapped; a sealed ballot tampered or stuffed
state="SELECT (SELECT count(*) FROM meetings) || '/' || (SELECT count(*) FROM meeting_sealed) || '/' || (SELECT count(*) FROM meeting_votes) || '/' || (SELECT count(*) FROM meeting_ballots) || '/' || (SELECT count(*) FROM matter_records) || '/' || (SELECT count(*) FROM outbox) || '/' || (SELECT coalesce(closed_ms, 0) FROM meetings WHERE id = $mt)"
snap=$(q "$state")
restart_with() { # KEYS_DIR: the service again, with another key folder
    stop_service deliberation
    start_service deliberation GOV_KEYS_DIR="$1" GOV_TEST_CLOCK_AHEAD_MS=$((7 * DAY + 7200000 + 120000))
}
mkdir "$tmp/nokey" && cp "$keys"/* "$tmp/nokey/" && rm -f "$tmp/nokey"/tally.*
restart_with "$tmp/nokey"
expect_status "without a tally key a secret vote is refused" 1 M --as r.s1.c1.g3.3.1 vote "$A" --choice yes
contains "... TALLY_KEY_MISSING" "$tmp/err" TALLY_KEY_MISSING
expect_status "... and so is closing a meeting with sealed ballots" 1 M $PC close "$A"
contains "... TALLY_KEY_MISSING" "$tmp/err" TALLY_KEY_MISSING
expect_status "... and convening another secret ballot" 1 M $PC convene "$B" --roster households --ballot secret --motion m --starts-ms $((now_ms + 30 * DAY))
contains "... TALLY_KEY_MISSING" "$tmp/err" TALLY_KEY_MISSING
now=$(q "$state")
if [ "$now" = "$snap" ]; then ok "... and those refusals changed nothing"; else not_ok "... and those refusals changed nothing" "was $snap, now $now"; fi
expect_status "without a tally key an open ballot is convened as before" 0 M $PC convene "$B" --roster households --ballot open --motion m --starts-ms $((now_ms + 30 * DAY))
check "... with no tally key on it" test "$(q "SELECT count(*) FROM meetings WHERE matter_id = $B AND ballot = 'open' AND tally_key IS NULL")" = 1
snap=$(q "$state")
mkdir "$tmp/other" && "$govctl" keys generate "$tmp/other" >/dev/null
mkdir "$tmp/tampered" && cp "$keys"/* "$tmp/tampered/" && cp "$tmp/other/tally.public" "$tmp/tampered/tally.public"
restart_with "$tmp/tampered"
expect_status "with a tampered tally key (its halves do not match) a secret vote is refused" 1 M --as r.s1.c1.g3.3.1 vote "$A" --choice yes
contains "... TALLY_KEY_BAD" "$tmp/err" TALLY_KEY_BAD
mkdir "$tmp/swapped" && cp "$keys"/* "$tmp/swapped/" && cp "$tmp/other"/tally.* "$tmp/swapped/"
restart_with "$tmp/swapped"
expect_status "with another tally key than the meeting's a secret vote is refused" 1 M --as r.s1.c1.g3.3.1 vote "$A" --choice yes
contains "... TALLY_KEY_CHANGED" "$tmp/err" TALLY_KEY_CHANGED
expect_status "... and so is closing" 1 M $PC close "$A"
contains "... TALLY_KEY_CHANGED" "$tmp/err" TALLY_KEY_CHANGED
restart_with "$keys"
q "CREATE TABLE sealed_copy AS SELECT * FROM meeting_sealed WHERE meeting_id = $mt" >/dev/null
q "UPDATE meeting_sealed SET sealed = overlay(sealed placing '\\x00'::bytea from 60 for 1) WHERE ctid = (SELECT min(ctid) FROM meeting_sealed WHERE meeting_id = $mt)" >/dev/null
expect_status "a sealed ballot altered in the database is refused at close" 1 M $PC close "$A"
contains "... BALLOT_UNREADABLE" "$tmp/err" BALLOT_UNREADABLE
q "DELETE FROM meeting_sealed WHERE meeting_id = $mt; INSERT INTO meeting_sealed SELECT * FROM sealed_copy" >/dev/null
q "INSERT INTO meeting_sealed SELECT * FROM sealed_copy LIMIT 1" >/dev/null
expect_status "a sealed ballot copied in the database (stuffing) is refused at close" 1 M $PC close "$A"
contains "... BALLOTS_MISMATCH" "$tmp/err" BALLOTS_MISMATCH
q "DELETE FROM meeting_sealed WHERE meeting_id = $mt; INSERT INTO meeting_sealed SELECT * FROM sealed_copy; DROP TABLE sealed_copy" >/dev/null
now=$(q "$state")
if [ "$now" = "$snap" ]; then ok "the refusals changed nothing"; else not_ok "the refusals changed nothing" "was $snap, now $now"; fi

# --- close: the ballots are opened and counted ------------------------------------
expect_status "the committee closes the meeting" 0 M $PC close "$A"
contains "... 4 yes" "$tmp/out" '"yes": 4'
contains "... 4 no" "$tmp/out" '"no": 4'
contains "... 4 abstain" "$tmp/out" '"abstain": 4'
check "... the sealed ballots are gone" test "$(R "SELECT count(*) FROM meeting_sealed WHERE meeting_id = $mt")" = 0
check "... the votes were written by one transaction" test "$(R "SELECT count(*) || ' ' || count(DISTINCT xmin::text) FROM meeting_votes WHERE meeting_id = $mt")" = "12 1"
check "... which wrote no ballot" test "$(R "SELECT count(*) FROM meeting_ballots b JOIN meeting_votes v ON v.xmin = b.xmin AND v.meeting_id = b.meeting_id WHERE b.meeting_id = $mt")" = 0
check "... the receipts hash is the hash of the sorted receipt hashes" test "$(R "SELECT receipts_hash FROM meetings WHERE id = $mt")" = "$(R "SELECT string_agg(receipt_hash, ',' ORDER BY receipt_hash) FROM meeting_votes WHERE meeting_id = $mt" | tr -d '\n' | sha256sum | cut -c1-64)"
pairings after
: >"$tmp/checked"
while read -r p c r; do
    if M --as "$p" receipt "$A" --receipt "$r" >"$tmp/out" 2>"$tmp/err" && [ "$(json "d['choice']")" = "$c" ] &&
        [ "$(json "d.get('counted', False)")" = True ]; then echo ok >>"$tmp/checked"; else echo "# $p: $(head -2 "$tmp/err" "$tmp/out")"; fi
done <"$tmp/receipts"
check "every receipt verifies after close: counted, with the voter's choice" test "$(wc -l <"$tmp/checked")" = 12
check "the tally key's secret half is nowhere in the database" test "$(pg_dump "$GOV_DB_URL" | grep -cF -e "$(cat "$keys/tally.secret")")" = 0
check "... its public half is, on the meeting" test "$(q "SELECT tally_key FROM meetings WHERE id = $mt")" = "$(cat "$keys/tally.public")"
expect_status "the matter's chain still verifies" 0 M verify "$A"
contains "... ok" "$tmp/out" '"ok": true'
echo "1..$n"
[ "$failed" = 0 ]
