#!/usr/bin/env bash
# govctl calendar against a real database: the shipped calendars import, and
# again harmlessly; a corrected row replaces the old one; every kind of bad
# file is refused naming its line, with nothing written; show lists the days;
# add-days counts working days on the stored calendar (calendar_load).
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. tests/cli/tap.sh
govctl="${GOV_BIN:-build/bin}/govctl"
db=cli_calendar
. tests/cli/lib.sh
test_db "$db"
# Everything stored, as one hash: equal hashes, equal tables.
table() { q "SELECT count(*) || ' ' || coalesce(md5(string_agg(day || kind || name || source, '|' ORDER BY day)), '-') FROM calendar_days"; }
csv=deploy/demo/calendar

# --- usage -------------------------------------------------------------------
expect_status "calendar --help exits 0" 0 "$govctl" calendar --help
contains "... and prints the usage" "$tmp/out" "usage: govctl calendar import FILE.csv"
expect_status "calendar without a command is a usage error" 2 "$govctl" calendar
expect_status "an unknown calendar command is a usage error" 2 "$govctl" calendar frobnicate
expect_status "import needs a file" 2 "$govctl" calendar import
expect_status "import takes one file" 2 "$govctl" calendar import "$csv/cn-2025.csv" "$csv/cn-2026.csv"
expect_status "show --year needs a year" 2 "$govctl" calendar show --year soon
expect_status "show --year before 1970 is a usage error" 2 "$govctl" calendar show --year 1800
expect_status "add-days needs --from" 2 "$govctl" calendar add-days --days 3
expect_status "add-days needs --days" 2 "$govctl" calendar add-days --from 2026-09-30
expect_status "add-days --from must be a date" 2 "$govctl" calendar add-days --from 2026-02-30 --days 1
expect_status "add-days --days cannot be negative" 2 "$govctl" calendar add-days --from 2026-09-30 --days -1

# --- import ------------------------------------------------------------------
q "DELETE FROM calendar_days" >/dev/null
expect_status "the 2025 calendar imports" 0 "$govctl" calendar import "$csv/cn-2025.csv"
contains "... saying how many days of which year" "$tmp/out" "imported 33 days (2025)"
expect_status "the 2026 calendar imports" 0 "$govctl" calendar import "$csv/cn-2026.csv"
contains "... saying how many days of which year" "$tmp/out" "imported 39 days (2026)"
check "... 72 days stored" test "$(q "SELECT count(*) FROM calendar_days")" = 72
check "... with their source" test "$(q "SELECT source FROM calendar_days WHERE day = '2026-10-10'")" = \
    "国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号）"
good=$(table)
expect_status "re-importing the 2026 calendar succeeds" 0 "$govctl" calendar import "$csv/cn-2026.csv"
check "... and changes nothing" test "$(table)" = "$good"
{ printf '\xEF\xBB\xBF'; sed 's/$/\r/' "$csv/cn-2025.csv"; } >"$tmp/excel.csv"
expect_status "a file with a BOM and CRLF line ends (as spreadsheets save) imports" 0 "$govctl" calendar import "$tmp/excel.csv"
check "... to the same rows" test "$(table)" = "$good"
{ cat "$csv/cn-2025.csv"; tail -n +2 "$csv/cn-2026.csv"; } >"$tmp/both.csv"
expect_status "a file of two years imports" 0 "$govctl" calendar import "$tmp/both.csv"
contains "... naming both years" "$tmp/out" "imported 72 days (2025, 2026)"
sed 's/^2026-10-10,workday,国庆节调休上班,/2026-10-10,workday,国庆节调休上班（更正）,/' "$csv/cn-2026.csv" >"$tmp/corrected.csv"
expect_status "a corrected file imports" 0 "$govctl" calendar import "$tmp/corrected.csv"
check "... replacing the corrected row" test "$(q "SELECT name FROM calendar_days WHERE day = '2026-10-10'")" = "国庆节调休上班（更正）"
check "... and adding none" test "$(q "SELECT count(*) FROM calendar_days")" = 72
"$govctl" calendar import "$csv/cn-2026.csv" >/dev/null
check "importing the original puts it back" test "$(table)" = "$good"

# --- bad files: refused, naming the line, nothing written ---------------------
# bad NAME LINE MESSAGE BODY...: a file of the header and BODY lines must be
# refused with "NAME.csv:LINE: MESSAGE", leaving the table as it was.
bad() {
    local name=$1 line=$2 message=$3; shift 3
    printf '%s\n' "day,kind,name,source" "$@" >"$tmp/$name.csv"
    expect_status "$name: refused" 1 "$govctl" calendar import "$tmp/$name.csv"
    contains "... naming line $line" "$tmp/err" "$name.csv:$line: $message"
    contains "... saying nothing was imported" "$tmp/err" "nothing imported"
    check "... and nothing is written" test "$(table)" = "$good"
}
ok1='2027-01-01,holiday,元旦,test'
ok2='2027-01-02,holiday,元旦,test'
bad workday-on-a-monday 4 "a make-up workday must fall on a Saturday or Sunday" "$ok1" "$ok2" '2027-01-04,workday,调休,test'
bad impossible-date 3 "the day is not a date" "$ok1" '2027-02-30,holiday,x,test'
bad not-a-date 2 "the day is not a date" '27-1-1,holiday,x,test'
bad before-1970 2 "the day is not a date" '1969-10-01,holiday,国庆节,test'
bad unknown-kind 3 "kind must be holiday or workday" "$ok1" '2027-01-02,vacation,元旦,test'
bad empty-name 2 "the name is empty" '2027-01-01,holiday,,test'
bad empty-source 3 "the source is empty" "$ok1" '2027-01-02,holiday,元旦,'
bad three-fields 2 "expected 4 fields (day,kind,name,source), found 3" '2027-01-01,holiday,元旦'
bad five-fields 2 "expected 4 fields (day,kind,name,source), found 5" '2027-01-01,holiday,元旦,a,b'
bad quoted 2 "fields cannot be quoted" '2027-01-01,holiday,"元旦, 新年",test'
bad listed-twice 4 "2027-01-01 is already listed on line 2" "$ok1" "$ok2" '2027-01-01,holiday,新年,test'
printf 'date,kind,name,source\n%s\n' "$ok1" >"$tmp/bad-header.csv"
expect_status "a wrong header is refused" 1 "$govctl" calendar import "$tmp/bad-header.csv"
contains "... naming line 1" "$tmp/err" "bad-header.csv:1: the header must be day,kind,name,source"
printf 'day,kind,name,source\n' >"$tmp/empty.csv"
expect_status "a file without days is refused" 1 "$govctl" calendar import "$tmp/empty.csv"
contains "... saying so" "$tmp/err" "no days to import"
expect_status "a missing file is refused" 1 "$govctl" calendar import "$tmp/nope.csv"
contains "... saying it cannot be read" "$tmp/err" "cannot read"
check "after all of them the table is as it was" test "$(table)" = "$good"

# --- show --------------------------------------------------------------------
expect_status "show --year 2026" 0 "$govctl" calendar show --year 2026
contains "... lists the make-up Saturday of 国庆" "$tmp/out" "2026-10-10  workday  国庆节调休上班"
contains "... and the first day of 春节" "$tmp/out" "2026-02-15  holiday  春节"
check "... and only 2026" test "$(grep -c . "$tmp/out")" = 39
expect_status "show --json" 0 "$govctl" calendar show --json
check "... lists every day with its source" python3 -c "
import json, sys
rows = json.load(open('$tmp/out'))
assert len(rows) == 72 and all(r['source'].startswith('国务院办公厅') for r in rows)
assert rows[0] == {'day': '2025-01-01', 'kind': 'holiday', 'name': '元旦',
                   'source': '国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）'}"

# --- add-days: calendar_add on the stored calendar ------------------------------
# add_days NAME RESULT ARGS...: add-days ARGS prints RESULT.
add_days() {
    local name=$1 want=$2; shift 2
    "$govctl" calendar add-days "$@" >"$tmp/out" 2>"$tmp/err"
    if [ "$(cat "$tmp/out")" = "$want" ]; then ok "$name"; else not_ok "$name" "got \"$(cat "$tmp/out")\", wanted $want" "$(head -3 "$tmp/err")"; fi
}
# 30 Sep (1), [1–7 Oct 国庆], 8 (2), 9 (3), Sat 10 make-up (4), 12–14 (5–7).
add_days "7 working days from 2026-09-30 end with 14 Oct" "2026-10-15T00:00+08:00" --from 2026-09-30 --days 7 --working
add_days "7 calendar days from 2026-09-30 ignore the holiday" "2026-10-07T00:00+08:00" --from 2026-09-30 --days 7
# Fri 13 Feb and the make-up Sat 14 Feb; 春节 starts on the 15th.
add_days "2 working days from Fri 2026-02-13 count the make-up Saturday" "2026-02-15T00:00+08:00" --from 2026-02-13 --days 2 --working
add_days "0 working days from 国庆 is when work resumes" "2026-10-08T00:00+08:00" --from 2026-10-01 --days 0 --working
add_days "248 working days fill 2026" "2027-01-01T00:00+08:00" --from 2026-01-01 --days 248 --working
q "DELETE FROM calendar_days WHERE day >= '2026-01-01'" >/dev/null
# Without the 2026 notice: 30 Sep, 1, 2, 5, 6, 7, 8 Oct, Monday to Friday.
add_days "without the 2026 rows, only Monday to Friday counts" "2026-10-09T00:00+08:00" --from 2026-09-30 --days 7 --working
"$govctl" calendar import "$csv/cn-2026.csv" >/dev/null
add_days "... and with them again, the holiday counts again" "2026-10-15T00:00+08:00" --from 2026-09-30 --days 7 --working
expect_status "add-days --working without a database fails" 1 env GOV_DB_URL="postgresql://postgres@127.0.0.1:1/nowhere" \
    "$govctl" calendar add-days --from 2026-09-30 --days 7 --working
add_days "... but calendar days need none" "2026-10-07T00:00+08:00" --from 2026-09-30 --days 7

echo "1..$n"
