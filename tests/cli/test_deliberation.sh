#!/usr/bin/env bash
# govctl matter against real gov-deliberation and gov-routing (test clocks):
# a matter through all five steps (提事 → 议事 → 定事 → 办事 → 评事) with the
# statutory co-sign trigger at its boundary, a meeting without quorum, secret
# and open ballots, the majority at exactly half, 公示 with the chain's head,
# the decision becoming a whistle in routing, every refusal changing nothing,
# the windows closing after a kill -9, and the chain catching an edited row.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
. tests/cli/tap.sh
bin=${GOV_BIN:-build/bin}
govctl="$bin/govctl"
db=cli_deliberation
. tests/cli/lib.sh
. tests/cli/steps.sh
test_db "$db"
deliberation_stack
M() { "$govctl" matter "$@"; }
C="--as p.cm.s1.c1.head --unit cm.s1.c1"   # the residents' committee (居委会) of demo.s1.c1: executes
PC="--as p.pc.s1.c1.secretary --unit pc.s1.c1"   # its party committee (社区党委): accepts, convenes, publishes
SV="--as r.s1.c1.g2.3.2 --unit sv.s1.c1"   # its supervision committee
DAY=86400000
advance() { M clock "$1" >"$tmp/clock" 2>&1; }
unchanged() { # NAME SQL: the count did not move since the last snapshot
    local now; now=$(q "$2")
    if [ "$now" = "$snap" ]; then ok "$1"; else not_ok "$1" "was $snap, now $now"; fi
}
snapshot() { snap=$(q "$1"); }
effects="SELECT (SELECT count(*) FROM outbox) || '/' || (SELECT count(*) FROM matters) || '/' || (SELECT count(*) FROM matter_records) || '/' || (SELECT count(*) FROM meetings) || '/' || (SELECT count(*) FROM meeting_attendance) || '/' || (SELECT count(*) FROM meeting_votes) || '/' || (SELECT count(*) FROM community_needs) || '/' || (SELECT count(*) FROM unit_resources) || '/' || (SELECT count(*) FROM community_projects) || '/' || (SELECT count(*) FROM volunteers) || '/' || (SELECT count(*) FROM service_orders) || '/' || (SELECT coalesce(sum(xmin::text::bigint), 0) FROM matters) || '/' || (SELECT coalesce(sum(xmin::text::bigint), 0) FROM community_projects) || '/' || (SELECT coalesce(sum(xmin::text::bigint), 0) FROM service_orders)"
all_rows="SELECT (SELECT count(*) FROM matters) || '/' || (SELECT count(*) FROM matter_records) || '/' || (SELECT count(*) FROM matter_cosigns) || '/' || (SELECT count(*) FROM meeting_votes) || '/' || (SELECT count(*) FROM outbox WHERE stream = 'deliberation')"

# --- usage -------------------------------------------------------------------
expect_status "matter --help exits 0" 0 "$govctl" matter --help
contains "... and prints the usage" "$tmp/out" "usage: govctl matter"
expect_status "propose without a title is a usage error" 2 "$govctl" matter propose --scope community --area demo.s1.c1 --text x
expect_status "vote without a choice is a usage error" 2 "$govctl" matter vote 1
expect_status "an unknown subcommand is a usage error" 2 "$govctl" matter frobnicate 1

# --- 提事: propose, with every refusal changing nothing ----------------------
snapshot "$all_rows"
expect_status "an unknown area is refused" 1 M --as r.s1.c1.g1.1.1 propose --scope community --area demo.nowhere --title t --text x
contains "... UNKNOWN_AREA" "$tmp/err" UNKNOWN_AREA
expect_status "a grid scope on a community area is refused" 1 M --as r.s1.c1.g1.1.1 propose --scope grid --area demo.s1.c1 --title t --text x
contains "... BAD_SCOPE" "$tmp/err" BAD_SCOPE
expect_status "a resident of another community cannot propose here" 1 M --as r.s1.c2.g1.1.1 propose --scope community --area demo.s1.c1 --title t --text x
contains "... OUTSIDE_SCOPE" "$tmp/err" OUTSIDE_SCOPE
expect_status "an empty title is refused" 1 M --as r.s1.c1.g1.1.1 propose --scope community --area demo.s1.c1 --title '' --text x
contains "... MISSING_TEXT, naming the title" "$tmp/err" "title is empty"
long=$(python3 -c 'print("字" * 4001)')
expect_status "a text of 4001 characters is refused" 1 M --as r.s1.c1.g1.1.1 propose --scope community --area demo.s1.c1 --title t --text "$long"
contains "... TEXT_TOO_LONG" "$tmp/err" TEXT_TOO_LONG
expect_status "an attachment that is not a URL is refused" 1 M --as r.s1.c1.g1.1.1 propose --scope community --area demo.s1.c1 --title t --text x --attach file:///etc/passwd
contains "... INVALID_URL" "$tmp/err" INVALID_URL
expect_status "an unknown person is refused" 1 M --as nobody propose --scope community --area demo.s1.c1 --title t --text x
contains "... UNKNOWN_PERSON" "$tmp/err" UNKNOWN_PERSON
unchanged "the refused proposals wrote nothing" "$all_rows"

step "a resident proposes a matter (居民提事)" M --as r.s1.c1.g1.1.1 propose --scope community \
    --area demo.s1.c1 --title 加装电梯 --text @TEXT@ --attach https://example.org/plan.pdf
A=$(json "d['item']['id']")
conflict "... the proposal" M --as r.s1.c1.g1.1.1 propose --scope community --area demo.s1.c1 --title 加装电梯 --text 另一个方案
contains "... in step proposed" "$tmp/out" '"step": "proposed"'
contains "... with its attachment" "$tmp/out" 'https://example.org/plan.pdf'
expect_status "someone else cannot amend it" 1 M --as r.s1.c1.g1.2.1 amend "$A" --title x --text y
contains "... NOT_PROPOSER" "$tmp/err" NOT_PROPOSER
step "the proposer amends it while only proposed" M --as r.s1.c1.g1.1.1 amend "$A" --title 加装电梯 --text @TEXT@
conflict "... the amendment" M --as r.s1.c1.g1.1.1 amend "$A" --title 加装电梯 --text '3号楼加装电梯：方案与费用分摊'

# --- co-signing and the statutory trigger (组织法 art. 10: one fifth) ---------
# demo.s1.c1 has 20 households and 40 adults: 4 households are one fifth.
for h in 2 3 4; do
    expect_status "household $h co-signs" 0 M --as r.s1.c1.g1.$h.1 cosign "$A"
done
contains "3 of 20 households is not yet one fifth" "$tmp/out" '"convene_required": false'
snapshot "$all_rows"
expect_status "co-signing twice is refused" 1 M --as r.s1.c1.g1.2.1 cosign "$A"
contains "... ALREADY_COSIGNED" "$tmp/err" ALREADY_COSIGNED
expect_status "a resident of another community cannot co-sign" 1 M --as r.s1.c2.g1.1.1 cosign "$A"
contains "... OUTSIDE_SCOPE" "$tmp/err" OUTSIDE_SCOPE
expect_status "a child cannot co-sign" 1 M --as r.s1.c1.g1.2.3 cosign "$A"
unchanged "the refused co-signatures wrote nothing" "$all_rows"
step "the fourth household co-signs" M --as r.s1.c1.g1.5.1 cosign "$A"
conflict "... the co-signature" M --as r.s1.c1.g1.5.1 cosign $((A + 1000))
contains "4 of 20 households reach the trigger" "$tmp/out" '"convene_required": true'
check "... recorded as reached by households" test "$(q "SELECT body::json->>'reached_by' FROM matter_records WHERE matter_id = $A AND kind = 'convene_required'")" = households
snapshot "$all_rows"
expect_status "the proposer cannot amend the text residents co-signed" 1 M --as r.s1.c1.g1.1.1 amend "$A" --title 拆除车棚 --text 另一件事
contains "... HAS_COSIGNATURES" "$tmp/err" HAS_COSIGNATURES
unchanged "... and nothing changed" "$all_rows"

# --- 受理 ----------------------------------------------------------------------
expect_status "a resident cannot accept" 1 M --as r.s1.c1.g1.2.1 accept "$A"
contains "... NOT_PARTY_COMMITTEE" "$tmp/err" NOT_PARTY_COMMITTEE
snapshot "$all_rows"
expect_status "the residents' committee cannot accept: the party committee does (1+3)" 1 M $C accept "$A"
contains "... NOT_PARTY_COMMITTEE" "$tmp/err" NOT_PARTY_COMMITTEE
expect_status "nor can the supervision committee" 1 M $SV accept "$A"
contains "... NOT_PARTY_COMMITTEE" "$tmp/err" NOT_PARTY_COMMITTEE
expect_status "the residents' committee cannot decline either" 1 M $C decline "$A" --reason x
contains "... NOT_PARTY_COMMITTEE" "$tmp/err" NOT_PARTY_COMMITTEE
unchanged "... and nothing changed" "$all_rows"
expect_status "the party committee cannot decline a matter that reached the trigger" 1 M $PC decline "$A" --reason 不予受理
contains "... CONVENE_REQUIRED" "$tmp/err" CONVENE_REQUIRED
expect_status "voting before any meeting is refused" 1 M --as r.s1.c1.g1.1.1 vote "$A" --choice yes
contains "... WRONG_STEP" "$tmp/err" WRONG_STEP
step "the committee accepts, opening a 48-hour opinion window" M $PC accept "$A" --hours 48
conflict "... the acceptance" M $PC accept "$A" --hours 47
contains "... and the matter is discussing" "$tmp/out" '"step": "discussing"'

# A second matter, declined with a public reason; a third for the restart.
expect_status "a grid matter is proposed" 0 M --as r.s1.c1.g2.1.1 propose --scope grid --area demo.s1.c1.g2 --title 楼道堆物 --text 清理楼道堆物
B=$(json "d['item']['id']")
expect_status "a decline needs a reason" 1 M $PC decline "$B" --reason ''
contains "... REASON_REQUIRED" "$tmp/err" REASON_REQUIRED
step "the committee declines it with a reason" M $PC decline "$B" --reason @TEXT@
conflict "... the decline" M $PC decline "$B" --reason 另一个理由
contains "... which the matter shows" "$tmp/out" '议议议'
expect_status "a declined matter cannot be amended (the record is closed)" 1 M --as r.s1.c1.g2.1.1 amend "$B" --title x --text y
contains "... RECORD_CLOSED" "$tmp/err" RECORD_CLOSED
expect_status "a third matter is proposed" 0 M --as r.s1.c1.g3.1.1 propose --scope community --area demo.s1.c1 --title 健身器材 --text 增设健身器材
R=$(json "d['item']['id']")
expect_status "... and accepted with a one-hour window" 0 M $PC accept "$R" --hours 1

# --- the windows close on their own, also after kill -9 ------------------------
stop_service deliberation KILL
start_service deliberation GOV_TEST_CLOCK_AHEAD_MS=7200000
check "after kill -9 and two hours, the one-hour window closed on start" until_q "SELECT step FROM matters WHERE id = $R" discussed
check "... exactly once" test "$(q "SELECT count(*) FROM matter_records WHERE matter_id = $R AND kind = 'discussion_closed'")" = 1
check "the 48-hour window is still open" test "$(q "SELECT step FROM matters WHERE id = $A")" = discussing

# --- 议事 ----------------------------------------------------------------------
step "a resident in scope gives an opinion" M --as r.s1.c1.g2.2.1 opine "$A" --stance for --text @TEXT@
conflict "... the opinion" M --as r.s1.c1.g2.2.1 opine "$A" --stance against --text 反对
expect_status "... another is against" 0 M --as r.s1.c1.g1.1.2 opine "$A" --stance against --text 一楼住户受影响
expect_status "... and changes their mind (the last opinion counts)" 0 M --as r.s1.c1.g1.1.2 opine "$A" --stance neutral
contains "... so for 1, against 0, neutral 1" "$tmp/out" '"opinions_neutral": 1'
expect_status "a stance must be for, against or neutral" 1 M --as r.s1.c1.g2.2.1 opine "$A" --stance maybe
contains "... BAD_STANCE" "$tmp/err" BAD_STANCE
expect_status "outsiders cannot give opinions" 1 M --as r.s1.c2.g1.1.1 opine "$A" --stance for
advance $((25 * 3600000))
check "a day before the end, the closing-soon reminder is recorded" until_q "SELECT count(*) FROM matter_records WHERE matter_id = $A AND kind = 'closing_soon'" 1
advance $((24 * 3600000))
check "when the window ends the matter is discussed" until_q "SELECT step FROM matters WHERE id = $A" discussed
expect_status "an opinion after the window closed is refused" 1 M --as r.s1.c1.g2.2.1 opine "$A" --stance for
contains "... WINDOW_CLOSED" "$tmp/err" WINDOW_CLOSED

# --- 定事: a secret ballot of the representatives without quorum ---------------
now_ms=$(python3 -c "import json; print(json.load(open('$tmp/clock'))['now_ms'])")
expect_status "a meeting with less than 7 days' notice is refused" 1 M $PC convene "$A" --roster representatives --ballot secret --motion 同意加装电梯 --starts-ms $((now_ms + DAY))
contains "... NOTICE_TOO_SHORT" "$tmp/err" NOTICE_TOO_SHORT
expect_status "a secret ballot cannot allow changing votes" 1 M $PC convene "$A" --roster representatives --ballot secret --allow-change --motion m --starts-ms $((now_ms + 8 * DAY))
contains "... BAD_BALLOT" "$tmp/err" BAD_BALLOT
q "UPDATE deliberation_rules SET quorum_representatives = '>=3/2' WHERE community_id = (SELECT id FROM areas WHERE code = 'demo.s1.c1')" >/dev/null
snapshot "$all_rows"
expect_status "rules that cannot be counted are refused at convening, not at close" 1 M $PC convene "$A" --roster representatives --ballot secret --motion 同意加装电梯 --starts-ms $((now_ms + 7 * DAY + 60000))
contains "... BAD_RULES" "$tmp/err" BAD_RULES
unchanged "... and nothing was convened" "$all_rows"
q "UPDATE deliberation_rules SET quorum_representatives = '>=2/3' WHERE community_id = (SELECT id FROM areas WHERE code = 'demo.s1.c1')" >/dev/null
expect_status "the residents' committee cannot convene: the party committee does" 1 M $C convene "$A" --roster representatives --ballot secret --motion m --starts-ms $((now_ms + 7 * DAY + 60000))
contains "... NOT_PARTY_COMMITTEE" "$tmp/err" NOT_PARTY_COMMITTEE
step "the party committee convenes the representatives (8), secret ballot" M $PC convene "$A" --roster representatives --ballot secret --motion @TEXT@ --starts-ms $((now_ms + 7 * DAY + 60000))
conflict "... convening" M $PC convene "$A" --roster households --ballot secret --motion 同意加装电梯 --starts-ms $((now_ms + 7 * DAY + 60000))
contains "... a roster of 8" "$tmp/out" '"roster_size": 8'
expect_status "voting during the notice period is refused" 1 M --as r.s1.c1.g1.1.1 vote "$A" --choice yes
contains "... NOTICE_PERIOD" "$tmp/err" NOTICE_PERIOD
advance $((7 * DAY + 120000))
reps="r.s1.c1.g1.1.1 r.s1.c1.g1.4.1 r.s1.c1.g2.1.1 r.s1.c1.g2.4.1 r.s1.c1.g3.1.1"
for p in $reps; do M --as "$p" vote "$A" --choice yes >"$tmp/vote.$p" 2>&1; done
check "five representatives vote and get receipts" test "$(cat "$tmp"/vote.r.* | grep -c '"receipt"')" = 5
receipt=$(python3 -c "import json; print(json.load(open('$tmp/vote.r.s1.c1.g1.1.1'))['receipt'])")
snapshot "$all_rows"
expect_status "voting twice is refused" 1 M --as r.s1.c1.g1.1.1 vote "$A" --choice no
contains "... ALREADY_VOTED" "$tmp/err" ALREADY_VOTED
expect_status "someone not on the roster cannot vote" 1 M --as r.s1.c1.g1.2.1 vote "$A" --choice yes
contains "... NOT_ON_ROSTER" "$tmp/err" NOT_ON_ROSTER
expect_status "a choice must be yes, no or abstain" 1 M --as r.s1.c1.g3.4.1 vote "$A" --choice maybe
contains "... BAD_CHOICE" "$tmp/err" BAD_CHOICE
unchanged "the refused votes wrote nothing" "$all_rows"
mt1=$(q "SELECT max(id) FROM meetings WHERE matter_id = $A")
check "secret ballot: how is sealed until close (test_ballot_secrecy.sh tries every pairing)" test "$(q "SELECT count(*) FROM meeting_sealed WHERE meeting_id = $mt1")/$(q "SELECT count(*) FROM meeting_votes WHERE meeting_id = $mt1")" = 5/0
check "... who is stored without how or when" test "$(q "SELECT count(*) FROM meeting_ballots WHERE meeting_id = $mt1 AND at_ms IS NULL")" = 5
check "... and the record names the voters, never their choice" test "$(q "SELECT count(*) FROM matter_records WHERE matter_id = $A AND kind = 'ballot' AND body NOT LIKE '%choice%' AND body NOT LIKE '%yes%'")" = 5
check "... and the votes' idempotency digests leave the choice out" test "$(q "SELECT count(*) FROM deliberation_requests WHERE type = 'CastVote' AND ids[1] = $A AND digest IN (SELECT encode(sha256(convert_to(format(E'CastVote\\n%s\\n\\nmatter %s', p, $A), 'UTF8')), 'hex') FROM unnest(string_to_array('$reps', ' ')) AS p)")" = 5
expect_status "while the meeting sits the receipt cannot be checked" 1 M --as r.s1.c1.g1.1.1 receipt "$A" --receipt "$receipt"
contains "... BALLOT_SEALED" "$tmp/err" BALLOT_SEALED
expect_status "a resident cannot close the meeting" 1 M --as r.s1.c1.g1.1.1 close "$A"
expect_status "the residents' committee cannot close it" 1 M $C close "$A"
contains "... NOT_PARTY_COMMITTEE" "$tmp/err" NOT_PARTY_COMMITTEE
step "the party committee closes it: 5 of 8 is below two thirds" M $PC close "$A"
conflict "... closing" M $PC close $((A + 1000))
contains "... no quorum, the matter stays undecided" "$tmp/out" '"step": "undecided"'
contains "... and the tally says so" "$tmp/out" '"valid": false'
check "... the sealed votes are opened: how is stored without who or when" test "$(q "SELECT count(*) FROM meeting_votes WHERE meeting_id = $mt1 AND person_id IS NULL AND at_ms IS NULL")/$(q "SELECT count(*) FROM meeting_sealed WHERE meeting_id = $mt1")" = 5/0
expect_status "the voter checks the receipt" 0 M --as r.s1.c1.g1.1.1 receipt "$A" --receipt "$receipt"
contains "... counted" "$tmp/out" '"counted": true'
contains "... as cast" "$tmp/out" '"choice": "yes"'
expect_status "a made-up receipt is not found" 1 M receipt "$A" --receipt 0123456789abcdef0123456789abcdef
contains "... NOT_FOUND" "$tmp/err" NOT_FOUND
expect_status "a vote after close is refused" 1 M --as r.s1.c1.g3.4.1 vote "$A" --choice yes
contains "... MEETING_CLOSED" "$tmp/err" MEETING_CLOSED
expect_status "publishing an undecided matter is refused" 1 M $PC publish "$A"
contains "... WRONG_STEP" "$tmp/err" WRONG_STEP

# --- 定事 again: the households, open ballot, changes allowed -------------------
now_ms=$(python3 -c "import json; print(json.load(open('$tmp/clock'))['now_ms'])")
expect_status "the committee convenes the household representatives (20), open ballot" 0 M $PC convene "$A" --roster households --ballot open --allow-change --motion 同意加装电梯，费用按楼层分摊 --starts-ms $((now_ms + 7 * DAY + 60000))
contains "... a roster of 20" "$tmp/out" '"roster_size": 20'
advance $((7 * DAY + 120000))
i=0
for g in 1 2 3; do for h in 1 2 3 4 5; do
    i=$((i + 1)); [ $i -gt 11 ] && break
    choice=yes; [ $i -gt 6 ] && choice=no
    M --as r.s1.c1.g$g.$h.1 vote "$A" --choice $choice >/dev/null 2>"$tmp/verr" || cat "$tmp/verr"
done; done
step "a voter changes no to yes before close" M --as r.s1.c1.g2.2.1 vote "$A" --choice yes
conflict "... the vote" M --as r.s1.c1.g2.2.1 vote $((A + 1000)) --choice yes
check "... the earlier vote stays, no longer current" test "$(q "SELECT count(*) FROM meeting_votes v JOIN people p ON p.id = v.person_id WHERE p.code = 'r.s1.c1.g2.2.1' AND v.meeting_id = (SELECT max(id) FROM meetings WHERE matter_id = $A) AND NOT v.current")" = 1
expect_status "a vote sent with a message id" 0 env GOV_MESSAGE_ID=vote-g3-3 "$govctl" matter --as r.s1.c1.g3.3.1 vote "$A" --choice no
receipt1=$(json "d['receipt']")
expect_status "... retried (the answer was lost) is not ALREADY_VOTED" 0 env GOV_MESSAGE_ID=vote-g3-3 "$govctl" matter --as r.s1.c1.g3.3.1 vote "$A" --choice no
check "... and gives the same receipt" test "$(json "d['receipt']")" = "$receipt1"
check "... counted once" test "$(q "SELECT count(*) FROM meeting_votes v JOIN people p ON p.id = v.person_id WHERE p.code = 'r.s1.c1.g3.3.1'")" = 1
step "the committee records a member's attendance" M $PC attend "$A" --person r.s1.c1.g3.2.1
conflict "... the attendance" M $PC attend "$A" --person r.s1.c1.g3.2.2
expect_status "... not twice" 1 M $PC attend "$A" --person r.s1.c1.g3.2.1
contains "... ALREADY_ATTENDED" "$tmp/err" ALREADY_ATTENDED
expect_status "the meeting closes: 13 of 20 attend, 7 of 13 agree" 0 M $PC close "$A"
contains "... decided" "$tmp/out" '"step": "decided"'
contains "... with the tally" "$tmp/out" '"yes": 7'
contains "... attended 13" "$tmp/out" '"attended": 13'

# --- 监督: a flag holds the matter until the owning body answers -------------------
closed_n=$(q "SELECT n FROM matter_records WHERE matter_id = $A AND kind = 'meeting_closed' ORDER BY n DESC LIMIT 1")
snapshot "$all_rows"
expect_status "a resident cannot flag a step" 1 M --as r.s1.c1.g1.1.1 flag "$A" --record "$closed_n" --text x
contains "... NOT_SUPERVISOR" "$tmp/err" NOT_SUPERVISOR
expect_status "the party committee cannot flag a step" 1 M $PC flag "$A" --record "$closed_n" --text x
contains "... NOT_SUPERVISOR" "$tmp/err" NOT_SUPERVISOR
expect_status "a record the matter does not have cannot be flagged" 1 M $SV flag "$A" --record 9999 --text x
contains "... UNKNOWN_RECORD" "$tmp/err" UNKNOWN_RECORD
unchanged "the refused flags wrote nothing" "$all_rows"
step "the supervision committee flags the meeting's close as irregular (监督评判权)" M $SV flag "$A" --record "$closed_n" --text @TEXT@
conflict "... the flag" M $SV flag "$A" --record "$closed_n" --text 出席人数存疑
flag=$(json "d['item']['flags'][-1]['id']")
contains "... owned by the party committee" "$tmp/out" '"owner": "party_committee"'
check "... the flag is in the chain" test "$(q "SELECT count(*) FROM matter_records WHERE matter_id = $A AND kind = 'flag'")" = 1
flag_n=$(q "SELECT n FROM matter_records WHERE matter_id = $A AND kind = 'flag'")
expect_status "the supervision's own flag cannot be flagged" 1 M $SV flag "$A" --record "$flag_n" --text x
contains "... FLAG_TARGET" "$tmp/err" FLAG_TARGET
snapshot "$all_rows"
expect_status "the flag holds the matter: publishing is refused" 1 M $PC publish "$A"
contains "... MATTER_HELD" "$tmp/err" MATTER_HELD
expect_status "the residents' committee cannot answer the party committee's flag" 1 M $C answer-flag "$A" --flag "$flag" --text x
contains "... NOT_PARTY_COMMITTEE" "$tmp/err" NOT_PARTY_COMMITTEE
expect_status "the supervision cannot answer its own flag" 1 M $SV answer-flag "$A" --flag "$flag" --text x
contains "... NOT_PARTY_COMMITTEE" "$tmp/err" NOT_PARTY_COMMITTEE
expect_status "an unknown flag cannot be answered" 1 M $PC answer-flag "$A" --flag 999999 --text x
contains "... UNKNOWN_FLAG" "$tmp/err" UNKNOWN_FLAG
unchanged "... and nothing changed" "$all_rows"
step "the party committee answers the flag" M $PC answer-flag "$A" --flag "$flag" --text @TEXT@
conflict "... the answer" M $PC answer-flag "$A" --flag "$flag" --text 另一个答复
check "... the answer is in the chain" test "$(q "SELECT count(*) FROM matter_records WHERE matter_id = $A AND kind = 'flag_answered'")" = 1
expect_status "... not twice" 1 M $PC answer-flag "$A" --flag "$flag" --text again
contains "... ALREADY_ANSWERED" "$tmp/err" ALREADY_ANSWERED

# --- 公示 ------------------------------------------------------------------------
head_before=$(q "SELECT head_hash FROM matters WHERE id = $A")
expect_status "the residents' committee cannot publish: the party committee does" 1 M $C publish "$A"
contains "... NOT_PARTY_COMMITTEE" "$tmp/err" NOT_PARTY_COMMITTEE
step "the party committee publishes the decision (公示)" M $PC publish "$A"
conflict "... publishing" M $PC publish $((A + 1000))
check "... printing the chain's head as it stood" test "$(json "d['item']['decision_head']")" = "$head_before"
check "... with the supervision's flag and its answer" test "$(q "SELECT body::json->'flags'->0->>'answer' FROM matter_records WHERE matter_id = $A AND kind = 'published'")" = "$(q "SELECT answer FROM matter_flags WHERE id = $flag")"
step "a resident objects during the notice period" M --as r.s1.c1.g1.1.2 object "$A" --text @TEXT@
conflict "... the objection" M --as r.s1.c1.g1.1.2 object "$A" --text 一楼采光受影响，请补偿
contains "... recorded" "$tmp/out" '"objections": 1'
contains "... unanswered" "$tmp/out" '"objections_open": 1'
objection=$(q "SELECT body::json->>'objection_id' FROM matter_records WHERE matter_id = $A AND kind = 'objection'")
step "the supervision committee observes (监督)" M $SV observe "$A" --text @TEXT@
conflict "... the observation" M $SV observe "$A" --text 表决程序合规，异议已记录
expect_status "a resident cannot write the supervision record" 1 M --as r.s1.c1.g1.1.1 observe "$A" --text x
contains "... NOT_SUPERVISOR" "$tmp/err" NOT_SUPERVISOR
expect_status "acting before the notice period ends is refused" 1 M $C act "$A" --dept dept.zhujian
contains "... WRONG_STEP" "$tmp/err" WRONG_STEP
advance $((7 * DAY))
check "when the notice period ends with an unanswered objection, the decision is held" until_q "SELECT count(*) FROM matter_records WHERE matter_id = $A AND kind = 'window_held'" 1
check "... the matter stays published" test "$(q "SELECT step FROM matters WHERE id = $A")" = published
expect_status "... and cannot be acted on" 1 M $C act "$A" --dept dept.zhujian
contains "... WRONG_STEP" "$tmp/err" WRONG_STEP
expect_status "an objection after the notice period is refused" 1 M --as r.s1.c1.g1.1.2 object "$A" --text 晚了
contains "... NOTICE_ENDED" "$tmp/err" NOTICE_ENDED
snapshot "$all_rows"
expect_status "the residents' committee cannot answer an objection" 1 M $C answer "$A" --objection "$objection" --text x
contains "... NOT_PARTY_COMMITTEE" "$tmp/err" NOT_PARTY_COMMITTEE
expect_status "an unknown objection cannot be answered" 1 M $PC answer "$A" --objection 999999 --text x
contains "... UNKNOWN_OBJECTION" "$tmp/err" UNKNOWN_OBJECTION
unchanged "... and nothing changed" "$all_rows"
step "the party committee answers the objection" M $PC answer "$A" --objection "$objection" --text @TEXT@
conflict "... the answer" M $PC answer "$A" --objection "$objection" --text 另一个答复
check "... the answer is in the chain" test "$(q "SELECT count(*) FROM matter_records WHERE matter_id = $A AND kind = 'objection_answered'")" = 1
check "answered, the decision takes effect: approved" until_q "SELECT step FROM matters WHERE id = $A" approved

# --- 办事: the decision becomes a whistle in routing ------------------------------
expect_status "acting with an unknown department is refused" 1 M $C act "$A" --dept dept.nowhere
contains "... UNKNOWN_DEPARTMENT" "$tmp/err" UNKNOWN_DEPARTMENT
# A WhistleBlown naming a matter there is none of, ahead of the real one: the
# subscriber must step over it, or the stream stops there for good.
forged=$(python3 -c '
def varint(n):
    out = b""
    while True:
        out += bytes([(n & 127) | (128 if n > 127 else 0)])
        n >>= 7
        if not n:
            return out
def field(num, data):
    return varint(num << 3 | 2) + varint(len(data)) + data
whistle = varint(1 << 3) + varint(999999) + field(14, b"matter:999999")
print((field(3, b"WhistleBlown") + field(7, field(1, whistle)) + field(9, b"routing")).hex())')
forged_id=$(q "INSERT INTO outbox (stream, type, payload) VALUES ('routing', 'WhistleBlown', '\\x$forged'::bytea) RETURNING id" | head -1)
check "a whistle naming no matter is stepped over, not retried for ever" until_q "SELECT count(*) FROM outbox o, subscriber_positions s WHERE o.id = $forged_id AND o.seq IS NOT NULL AND s.subscriber = 'deliberation' AND s.stream = 'routing' AND s.last_seq >= o.seq" 1
# Routing's whistle comes back to the matter's task: wait for it before the
# retry, which then must change nothing (its answer, read anew, shows the
# whistle the first did not).
STEP_SAME_ANSWER=0 STEP_SETTLE='until_q "SELECT count(*) FROM matter_tasks WHERE matter_id = $A AND whistle_id IS NOT NULL" 1' \
    step "the committee acts: 住建 summoned, a task for the committee" M $C act "$A" --dept dept.zhujian --task 组织施工协调会 --text @TEXT@
conflict "... acting" M $C act "$A" --dept dept.shuiwu --task 组织施工协调会 --text 加装电梯施工
contains "... acting" "$tmp/out" '"step": "acting"'
check "routing blows a whistle for the decision" until_q "SELECT count(*) FROM whistles WHERE matter_id = $A" 1
check "... to 住建" test "$(q "SELECT u.code FROM dispatches d JOIN units u ON u.id = d.unit_id JOIN whistles w ON w.id = d.whistle_id WHERE w.matter_id = $A")" = dept.zhujian
check "deliberation links the task to the whistle" until_q "SELECT count(*) FROM matter_tasks WHERE matter_id = $A AND whistle_id IS NOT NULL" 1
task=$(q "SELECT id FROM matter_tasks WHERE matter_id = $A AND kind = 'committee'")
acting_n=$(q "SELECT n FROM matter_records WHERE matter_id = $A AND kind = 'acting'")
expect_status "supervision flags the execution as irregular" 0 M $SV flag "$A" --record "$acting_n" --text 未公开施工单位
contains "... owned by the residents' committee" "$tmp/out" '"owner": "community"'
flag2=$(json "d['item']['flags'][-1]['id']")
expect_status "while it is open the work cannot be reported done" 1 M $C progress "$A" --text 完工 --done
contains "... MATTER_HELD" "$tmp/err" MATTER_HELD
expect_status "the party committee cannot answer for the executor" 1 M $PC answer-flag "$A" --flag "$flag2" --text x
contains "... NOT_COMMITTEE" "$tmp/err" NOT_COMMITTEE
expect_status "the residents' committee answers" 0 M $C answer-flag "$A" --flag "$flag2" --text 施工单位已在公告栏公开
expect_status "the committee reports its task done" 0 M $C progress "$A" --task "$task" --text 协调会已召开
step "... and the work done, opening the evaluation" M $C progress "$A" --text @TEXT@ --done
conflict "... the progress" M $C progress "$A" --text 电梯已安装 --done
contains "... evaluating" "$tmp/out" '"step": "evaluating"'

# --- 评事 ------------------------------------------------------------------------
expect_status "the residents' committee cannot rate its own execution" 1 M $C rate "$A" --rating satisfied
contains "... NOT_SUPERVISOR" "$tmp/err" NOT_SUPERVISOR
expect_status "a rating must be one of three" 1 M $SV rate "$A" --rating great
contains "... BAD_RATING" "$tmp/err" BAD_RATING
step "the supervision committee rates the execution (评判)" M $SV rate "$A" --rating basic --text @TEXT@
conflict "... the rating" M $SV rate "$A" --rating dissatisfied --text 不好
contains "... shown on the matter" "$tmp/out" '"execution_rating": "basic"'
expect_status "... once" 1 M $SV rate "$A" --rating satisfied
contains "... ALREADY_RATED" "$tmp/err" ALREADY_RATED
step "a resident evaluates" M --as r.s1.c1.g1.1.1 evaluate "$A" --rating satisfied --text @TEXT@
conflict "... the evaluation" M --as r.s1.c1.g1.1.1 evaluate "$A" --rating dissatisfied --text 不好
expect_status "... not twice" 1 M --as r.s1.c1.g1.1.1 evaluate "$A" --rating basic
contains "... ALREADY_EVALUATED" "$tmp/err" ALREADY_EVALUATED
expect_status "a rating must be one of three" 1 M --as r.s1.c1.g1.2.1 evaluate "$A" --rating great
contains "... BAD_RATING" "$tmp/err" BAD_RATING
advance $((7 * DAY))
check "the evaluation closes and the matter with it" until_q "SELECT step FROM matters WHERE id = $A" closed
expect_status "an evaluation after close is refused" 1 M --as r.s1.c1.g1.2.1 evaluate "$A" --rating satisfied
contains "... EVALUATION_CLOSED" "$tmp/err" EVALUATION_CLOSED
expect_status "supervision may still observe a closed matter" 0 M $SV observe "$A" --text 全程监督完毕
expect_status "matter show has the result" 0 M show "$A"
contains "... satisfied 1" "$tmp/out" '"rated_satisfied": 1'

# --- the standing 村务商议团 (seed 002): elected by the representatives ----------------
check "the demo community has a standing council of its 8 representatives" test "$(M council demo.s1.c1 | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["members"]))')" = 8
expect_status "an election matter" 0 M --as r.s1.c1.g4.1.1 propose --scope community --area demo.s1.c1 --title 选举村务商议团 --text 换届选举
E=$(json "d['item']['id']")
M $PC accept "$E" --hours 1 >/dev/null
expect_status "a matter for the council" 0 M --as r.s1.c1.g4.1.1 propose --scope community --area demo.s1.c1 --title 停车位划线 --text 划定停车位
K=$(json "d['item']['id']")
M $PC accept "$K" --hours 1 >/dev/null
advance 7200000
until_q "SELECT step FROM matters WHERE id = $K" discussed
until_q "SELECT step FROM matters WHERE id = $E" discussed
now_ms=$(python3 -c "import json; print(json.load(open('$tmp/clock'))['now_ms'])")
at=$((now_ms + 7 * DAY + 60000))
reps7="--elect r.s1.c1.g1.1.1 --elect r.s1.c1.g1.4.1 --elect r.s1.c1.g2.1.1 --elect r.s1.c1.g2.4.1 --elect r.s1.c1.g3.1.1 --elect r.s1.c1.g3.4.1 --elect r.s1.c1.g4.1.1"
snapshot "$all_rows"
expect_status "a council of 6 is refused" 1 M $PC convene "$E" --roster representatives --ballot open --motion 选举 --starts-ms $at --term-months 36 --elect r.s1.c1.g1.1.1 --elect r.s1.c1.g1.4.1 --elect r.s1.c1.g2.1.1 --elect r.s1.c1.g2.4.1 --elect r.s1.c1.g3.1.1 --elect r.s1.c1.g3.4.1
contains "... COUNCIL_SIZE" "$tmp/err" COUNCIL_SIZE
expect_status "a council of 10 is refused" 1 M $PC convene "$E" --roster representatives --ballot open --motion 选举 --starts-ms $at --term-months 36 $reps7 --elect r.s1.c1.g4.4.1 --elect r.s1.c1.g1.2.1 --elect r.s1.c1.g1.3.1
contains "... COUNCIL_SIZE" "$tmp/err" COUNCIL_SIZE
expect_status "a member who is no representative is refused" 1 M $PC convene "$E" --roster representatives --ballot open --motion 选举 --starts-ms $at --term-months 36 $reps7 --elect r.s1.c1.g1.2.1
contains "... NOT_A_REPRESENTATIVE" "$tmp/err" NOT_A_REPRESENTATIVE
expect_status "a representative of another community is refused" 1 M $PC convene "$E" --roster representatives --ballot open --motion 选举 --starts-ms $at --term-months 36 $reps7 --elect r.s1.c2.g1.1.1
contains "... NOT_A_REPRESENTATIVE" "$tmp/err" NOT_A_REPRESENTATIVE
expect_status "a member named twice is refused" 1 M $PC convene "$E" --roster representatives --ballot open --motion 选举 --starts-ms $at --term-months 36 $reps7 --elect r.s1.c1.g1.1.1
contains "... BAD_COUNCIL" "$tmp/err" BAD_COUNCIL
expect_status "a term of 61 months is refused" 1 M $PC convene "$E" --roster representatives --ballot open --motion 选举 --starts-ms $at --term-months 61 $reps7
contains "... BAD_TERM" "$tmp/err" BAD_TERM
expect_status "an election by the households is refused: the representatives elect" 1 M $PC convene "$E" --roster households --ballot open --motion 选举 --starts-ms $at --term-months 36 $reps7
contains "... BAD_ROSTER" "$tmp/err" BAD_ROSTER
expect_status "the residents' committee cannot convene the election" 1 M $C convene "$E" --roster representatives --ballot open --motion 选举 --starts-ms $at --term-months 36 $reps7
contains "... NOT_PARTY_COMMITTEE" "$tmp/err" NOT_PARTY_COMMITTEE
expect_status "council members are not named per meeting any more" 1 M $PC convene "$K" --roster council --ballot open --motion m --starts-ms $at --member r.s1.c1.g1.1.1
contains "... BAD_COUNCIL" "$tmp/err" BAD_COUNCIL
unchanged "the refused conventions wrote nothing" "$all_rows"
step "the party committee convenes the representatives to elect 7 for 36 months" M $PC convene "$E" --roster representatives --ballot open --motion @TEXT@ --starts-ms $at --term-months 36 $reps7
conflict "... the election" M $PC convene "$E" --roster representatives --ballot open --motion 选举 --starts-ms $at --term-months 12 $reps7
contains "... with its slate" "$tmp/out" '"term_months": 36'
advance $((7 * DAY + 120000))
for p in r.s1.c1.g1.1.1 r.s1.c1.g1.4.1 r.s1.c1.g2.1.1 r.s1.c1.g2.4.1 r.s1.c1.g3.1.1 r.s1.c1.g3.4.1; do
    M --as $p vote "$E" --choice yes >/dev/null
done
expect_status "6 of 8 representatives elect the slate" 0 M $PC close "$E"
contains "... decided" "$tmp/out" '"step": "decided"'
check "... the election is in the chain" test "$(q "SELECT count(*) FROM matter_records WHERE matter_id = $E AND kind = 'council_elected'")" = 1
expect_status "the standing council is now the 7 elected" 0 M council demo.s1.c1
check "... seven" test "$(json "len(d['members'])")" = 7
check "... for 36 months" test "$(json "(d['term_until_ms'] - d['term_from_ms']) // 86400000 in range(1094, 1098)")" = True
check "the demo council's term ended at the election" test "$(q "SELECT count(*) FROM councils c JOIN areas a ON a.id = c.community_id WHERE a.code = 'demo.s1.c1' AND c.meeting_id IS NULL AND c.term_until_ms <= (SELECT term_from_ms FROM councils WHERE meeting_id IS NOT NULL)")" = 1

# --- the majority at exactly half, in the standing council ------------------------------
now_ms=$(python3 -c "import json; print(json.load(open('$tmp/clock'))['now_ms'])")
expect_status "the party committee convenes the standing council" 0 M $PC convene "$K" --roster council --ballot open --motion 同意划线 --starts-ms $((now_ms + 7 * DAY + 60000))
contains "... its 7 members are the roster" "$tmp/out" '"roster_size": 7'
advance $((7 * DAY + 120000))
i=0
for p in r.s1.c1.g1.1.1 r.s1.c1.g1.4.1 r.s1.c1.g2.1.1 r.s1.c1.g2.4.1 r.s1.c1.g3.1.1 r.s1.c1.g3.4.1; do
    i=$((i + 1)); choice=yes; [ $i -gt 3 ] && choice=no
    M --as $p vote "$K" --choice $choice >/dev/null
done
expect_status "6 of 7 attend (two thirds), 3 yes of 6: exactly half" 0 M $PC close "$K"
contains "... is not more than half: rejected" "$tmp/out" '"step": "rejected"'
contains "... though the meeting was valid" "$tmp/out" '"valid": true'

# --- events and the chain ----------------------------------------------------------
until_q "SELECT count(*) FROM outbox WHERE stream = 'deliberation' AND seq IS NULL" 0
events=$(q "SELECT count(*) FROM outbox WHERE stream = 'deliberation'")
expect_status "events tail shows the deliberation stream" 0 "$govctl" events tail --stream deliberation --from 0 --count "$events" --timeout 3000
for t in MatterProposed ConveneRequired MatterAccepted DiscussionClosing DiscussionClosed MeetingConvened MeetingClosed DecisionPublished ObjectionFiled NoticeEnded MatterActing EvaluationOpened MatterEvaluated MatterClosed ObservationAdded; do
    contains "... with $t" "$tmp/out" "\"$t\""
done
expect_status "matter verify checks the whole chain" 0 M verify "$A"
contains "... ok" "$tmp/out" '"ok": true'
records=$(q "SELECT records FROM matters WHERE id = $A")
check "... of every record" test "$(json "d['records']")" = "$records"
expect_status "an UPDATE of a record is refused by the database" 1 psql -v ON_ERROR_STOP=1 -q "$GOV_DB_URL" -c "UPDATE matter_records SET body = '{}' WHERE matter_id = $A AND n = 3"
q "ALTER TABLE matter_records DISABLE TRIGGER matter_records_append_only; UPDATE matter_records SET body = replace(body, 'r.s1.c1.g1.3.1', 'r.s1.c1.g1.9.1') WHERE matter_id = $A AND n = 4; ALTER TABLE matter_records ENABLE TRIGGER matter_records_append_only" >/dev/null
expect_status "after a superuser edits record 4, verify still answers" 0 M verify "$A"
contains "... not ok" "$tmp/out" '"ok": false'
check "... naming record 4 as the first broken link" test "$(json "d['broken_at']")" = 4
expect_status "matter record lists the entries" 0 M record "$A"
contains "... each with its hash" "$tmp/out" '"prev_hash"'
expect_status "matter list shows the community's matters" 0 M list --community demo.s1.c1
check "... all five" test "$(json "len(d['items'])")" = 5
expect_status "a matter that does not exist" 1 M show 999999
contains "... NOT_FOUND" "$tmp/err" NOT_FOUND

# --- the 两委 joint review, then a dissatisfied majority reopens once -------------------
expect_status "a matter for the council to agree" 0 M --as r.s1.c1.g4.1.1 propose --scope community --area demo.s1.c1 --title 修缮凉亭 --text 修缮小区凉亭
V=$(json "d['item']['id']")
M $PC accept "$V" --hours 1 >/dev/null
advance 7200000
until_q "SELECT step FROM matters WHERE id = $V" discussed
now_ms=$(python3 -c "import json; print(json.load(open('$tmp/clock'))['now_ms'])")
M $PC convene "$V" --roster council --ballot open --motion 同意修缮 --starts-ms $((now_ms + 7 * DAY + 60000)) >/dev/null
advance $((7 * DAY + 120000))
for p in r.s1.c1.g1.1.1 r.s1.c1.g1.4.1 r.s1.c1.g2.1.1 r.s1.c1.g2.4.1 r.s1.c1.g3.1.1; do
    M --as $p vote "$V" --choice yes >/dev/null
done
expect_status "the council agrees: 5 of 7" 0 M $PC close "$V"
contains "... its vote is not the decision: the 两委 review it" "$tmp/out" '"step": "reviewing"'
expect_status "publishing before the review is refused" 1 M $PC publish "$V"
contains "... WRONG_STEP" "$tmp/err" WRONG_STEP
snapshot "$all_rows"
expect_status "the supervision committee does not review" 1 M $SV review "$V" --approve --text x
contains "... NOT_REVIEWER" "$tmp/err" NOT_REVIEWER
expect_status "nor does a resident" 1 M --as r.s1.c1.g1.1.1 review "$V" --approve --text x
contains "... NOT_REVIEWER" "$tmp/err" NOT_REVIEWER
unchanged "... and nothing changed" "$all_rows"
step "the residents' committee reviews (两委联席审议)" M $C review "$V" --approve --text @TEXT@
conflict "... the review" M $C review "$V" --reject --text 不同意
contains "... one of two: still reviewing" "$tmp/out" '"step": "reviewing"'
expect_status "... not twice" 1 M $C review "$V" --approve --text again
contains "... ALREADY_REVIEWED" "$tmp/err" ALREADY_REVIEWED
expect_status "the party committee approves too" 0 M $PC review "$V" --approve --text 同意，按程序执行
contains "... decided" "$tmp/out" '"step": "decided"'
M $PC publish "$V" >/dev/null
advance $((7 * DAY))
until_q "SELECT step FROM matters WHERE id = $V" approved
M $C act "$V" --task 修缮凉亭 >/dev/null
expect_status "the work is reported done" 0 M $C progress "$V" --text 已修缮 --done
for p in r.s1.c1.g1.1.1 r.s1.c1.g1.2.1; do M --as $p evaluate "$V" --rating dissatisfied >/dev/null; done
M --as r.s1.c1.g1.3.1 evaluate "$V" --rating satisfied >/dev/null
advance $((7 * DAY))
check "2 of 3 dissatisfied: the execution is reopened" until_q "SELECT step FROM matters WHERE id = $V" acting
check "... recorded in the chain" test "$(q "SELECT count(*) FROM matter_records WHERE matter_id = $V AND kind = 'reopened'")" = 1
expect_status "matter show says reopened, round 2" 0 M show "$V"
contains "... reopened" "$tmp/out" '"reopened": true'
contains "... round 2" "$tmp/out" '"round": 2'
contains "... with the new round's evaluations at zero" "$tmp/out" '"rated_dissatisfied": 0'
expect_status "the residents' committee reports the work done again" 0 M $C progress "$V" --text 重新修缮 --done
expect_status "residents evaluate the new round (the same person may again)" 0 M --as r.s1.c1.g1.1.1 evaluate "$V" --rating dissatisfied
M --as r.s1.c1.g1.2.1 evaluate "$V" --rating dissatisfied >/dev/null
advance $((7 * DAY))
check "a second dissatisfied majority does not reopen again: closed" until_q "SELECT step FROM matters WHERE id = $V" closed
check "... reopened only once" test "$(q "SELECT count(*) FROM matter_records WHERE matter_id = $V AND kind = 'reopened'")" = 1
expect_status "the chain of the whole walk verifies" 0 M verify "$V"
contains "... ok" "$tmp/out" '"ok": true'

# --- 3+1 清单: needs, resources, projects ------------------------------------------
D="--as p.dept.zhujian.head --unit dept.zhujian"
expect_status "a resident cannot add to the needs list" 1 "$govctl" lists --as r.s1.c1.g1.1.1 need demo.s1.c1 --title 老年食堂
contains "... NOT_COMMITTEE" "$tmp/err" NOT_COMMITTEE
step "the committee adds a need (需求清单)" "$govctl" lists $C need demo.s1.c1 --title 老年助餐点 --text @TEXT@
conflict "... the need" "$govctl" lists $C need demo.s1.c1 --title 老年助餐点 --text 社区60岁以上老人约300人
need=$(json "d['needs'][-1]['id']")
expect_status "a unknown community is refused" 1 "$govctl" lists $C need demo.nowhere --title x
contains "... UNKNOWN_AREA" "$tmp/err" UNKNOWN_AREA
expect_status "the lists of an unknown community are refused" 1 "$govctl" lists show demo.nowhere
contains "... UNKNOWN_AREA" "$tmp/err" UNKNOWN_AREA
expect_status "a volunteer cannot report to an unknown community" 1 "$govctl" order --as r.s1.c1.g1.1.1 register demo.nowhere
contains "... UNKNOWN_AREA" "$tmp/err" UNKNOWN_AREA
step "a department offers a resource (资源清单)" "$govctl" lists $D resource demo.s1.c1 --title 闲置用房一间 --text @TEXT@
conflict "... the resource" "$govctl" lists $D resource demo.s1.c1 --title 闲置用房一间 --text 可作助餐点
res=$(json "d['resources'][-1]['id']")
expect_status "a committee cannot offer a unit's resource" 1 "$govctl" lists $C resource demo.s1.c1 --title x
contains "... NOT_A_UNIT" "$tmp/err" NOT_A_UNIT
expect_status "another unit cannot claim with 住建's resource" 1 "$govctl" lists --as p.dept.shuiwu.head --unit dept.shuiwu claim "$need" --resource "$res"
contains "... NOT_YOUR_RESOURCE" "$tmp/err" NOT_YOUR_RESOURCE
check "... and the need stays open" test "$(q "SELECT state FROM community_needs WHERE id = $need")" = open
step "住建 claims the need with its resource, signing for its side" "$govctl" lists $D claim "$need" --resource "$res"
conflict "... the claim" "$govctl" lists $D claim "$need" --resource $((res + 1000))
contains "... a project, claimed" "$tmp/out" '"state": "claimed"'
proj=$(json "d['projects'][-1]['id']")
expect_status "a second claim of the same need is refused" 1 "$govctl" lists --as p.dept.shuiwu.head --unit dept.shuiwu claim "$need"
contains "... ALREADY_CLAIMED" "$tmp/err" ALREADY_CLAIMED
expect_status "the project cannot be done before both sides sign" 1 "$govctl" lists $D done "$proj" --result 已开业
contains "... NOT_SIGNED" "$tmp/err" NOT_SIGNED
step "the community signs (双方签约)" "$govctl" lists $C sign "$proj"
conflict "... the signature" "$govctl" lists $C sign $((proj + 1000))
contains "... signed" "$tmp/out" '"state": "signed"'
expect_status "... not twice" 1 "$govctl" lists $C sign "$proj"
contains "... ALREADY_SIGNED" "$tmp/err" ALREADY_SIGNED
expect_status "an unrelated unit cannot report it done" 1 "$govctl" lists --as p.dept.shuiwu.head --unit dept.shuiwu done "$proj" --result x
contains "... NOT_A_PARTY" "$tmp/err" NOT_A_PARTY
step "住建 reports the project done" "$govctl" lists $D done "$proj" --result @TEXT@
contains "... done, with the result" "$tmp/out" '议议议'
conflict "... the project's result" "$govctl" lists $D done "$proj" --result 助餐点已开业

# --- 居民点单、派单、接单、晒单 (the whole flow and its deadline: test_orders.sh) ------------
step "a party member reports to the community as a volunteer (报到)" "$govctl" order --as p.dept.zhujian.head register demo.s1.c1 --party-member --skills 水电维修
conflict "... reporting" "$govctl" order --as p.dept.zhujian.head register demo.s1.c1 --skills 水电维修
contains "... beside the demo's two volunteers" "$tmp/out" '"volunteers": 3'
expect_status "... not twice" 1 "$govctl" order --as p.dept.zhujian.head register demo.s1.c1
contains "... ALREADY_REGISTERED" "$tmp/err" ALREADY_REGISTERED
expect_status "a resident volunteers too" 0 "$govctl" order --as r.s1.c1.g4.2.1 register demo.s1.c1
expect_status "an official who lives nowhere cannot order a service" 1 "$govctl" order --as p.dept.zhujian.head place --title x
contains "... NOT_A_RESIDENT" "$tmp/err" NOT_A_RESIDENT
step "a resident orders a service (点单)" "$govctl" order --as r.s1.c1.g1.2.2 place --title 更换水龙头 --text @TEXT@
conflict "... the order" "$govctl" order --as r.s1.c1.g1.2.2 place --title 更换水龙头 --text 厨房水龙头漏水
order=$(json "d['item']['id']")
contains "... at the station (ordered)" "$tmp/out" '"state": "ordered"'
check "... and its event goes to the station" until_q "SELECT count(*) FROM outbox WHERE stream = 'deliberation' AND type = 'ServiceOrderPosted'" 1
expect_status "nobody takes it before the station dispatches it" 1 "$govctl" order --as p.dept.zhujian.head claim "$order"
contains "... NOT_DISPATCHED" "$tmp/err" NOT_DISPATCHED
step "the station dispatches it to a volunteer (派单)" "$govctl" order --as p.st.s1.c1.dispatcher --unit st.s1.c1 dispatch "$order" --to p.dept.zhujian.head
conflict "... the dispatch" "$govctl" order --as p.st.s1.c1.dispatcher --unit st.s1.c1 dispatch "$order" --to r.s1.c1.g4.2.1
expect_status "another volunteer cannot take it" 1 "$govctl" order --as r.s1.c1.g4.2.1 claim "$order"
contains "... NOT_YOUR_ORDER" "$tmp/err" NOT_YOUR_ORDER
step "the volunteer takes it (接单)" "$govctl" order --as p.dept.zhujian.head claim "$order"
conflict "... the take" "$govctl" order --as p.dept.zhujian.head claim $((order + 1000))
expect_status "... not twice" 1 "$govctl" order --as p.dept.zhujian.head claim "$order"
contains "... ALREADY_TAKEN" "$tmp/err" ALREADY_TAKEN
expect_status "only the volunteer who took it may complete it" 1 "$govctl" order --as r.s1.c1.g4.2.1 done "$order" --result x
contains "... NOT_YOUR_ORDER" "$tmp/err" NOT_YOUR_ORDER
step "the volunteer reports what was done" "$govctl" order --as p.dept.zhujian.head done "$order" --result @TEXT@
conflict "... the result" "$govctl" order --as p.dept.zhujian.head done "$order" --result 已更换新龙头
expect_status "the community's orders list shows the result" 0 "$govctl" order list demo.s1.c1 --state done
contains "... with the result" "$tmp/out" 议议议

# --- a retried command acts once (idempotent by message id) -----------------------
snapshot "SELECT count(*) FROM matters"
expect_status "a proposal with a message id" 0 env GOV_MESSAGE_ID=retry-1 "$govctl" matter --as r.s1.c1.g2.3.1 propose --scope community --area demo.s1.c1 --title 垃圾分类 --text 设置分类亭
first=$(json "d['item']['id']")
expect_status "... retried with the same id" 0 env GOV_MESSAGE_ID=retry-1 "$govctl" matter --as r.s1.c1.g2.3.1 propose --scope community --area demo.s1.c1 --title 垃圾分类 --text 设置分类亭
check "... answers with the same matter" test "$(json "d['item']['id']")" = "$first"
check "... and made one matter" test "$(q "SELECT count(*) FROM matters")" = $((snap + 1))
expect_status "the same id for a different request is refused" 1 env GOV_MESSAGE_ID=retry-1 "$govctl" matter --as r.s1.c1.g2.3.1 propose --scope community --area demo.s1.c1 --title 别的 --text 别的
contains "... IDEMPOTENCY_CONFLICT" "$tmp/err" IDEMPOTENCY_CONFLICT
check "... and made nothing" test "$(q "SELECT count(*) FROM matters")" = $((snap + 1))

# --- the demo walk-through (deploy/demo/matter.sh), on the test clock ------------------
expect_status "deploy/demo/matter.sh takes a demo matter through all five steps" 0 env GOVCTL="$govctl" bash deploy/demo/matter.sh --fast
contains "... decided by the households" "$tmp/out" "passed=True"
contains "... published with the head hash" "$tmp/out" "公示 head hash: "
contains "... closed with its evaluation" "$tmp/out" "closed: satisfied 1, basic 1"
contains "... and its chain verified" "$tmp/out" "chain verified: True"
echo "1..$n"
