#!/usr/bin/env bash
# A demo matter through all five steps of 由民做主 on the running services
# (make up): 居民提事 → 网格议事 → 会议定事 → 联动办事 → 居民评事, in the demo
# community demo.s3.c3, whose windows are one minute each. Takes about five
# minutes of real time (six); with --fast (services started with GOV_TEST_CLOCK=1,
# as the tests do) it moves the services' clock instead of waiting.
set -euo pipefail
cd "$(dirname "$0")/../.."
govctl=${GOVCTL:-build/bin/govctl}
# make up's key folder, unless the caller names another (tests do).
[ -n "${GOV_KEYS_DIR:-}" ] || [ ! -d var/keys ] || export GOV_KEYS_DIR=$PWD/var/keys
fast=0
[ "${1:-}" = --fast ] && fast=1
C="--as p.cm.s3.c3.head --unit cm.s3.c3"            # 居委会: executes
PC="--as p.pc.s3.c3.secretary --unit pc.s3.c3"      # 社区党委: accepts, convenes, publishes, answers
SV="--as r.s3.c3.g2.3.2 --unit sv.s3.c3"            # 监督委员会: watches, flags, rates
say() { printf '\n== %s\n' "$*"; }
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
M() { "$govctl" matter "$@"; }
# pass MS: let that much service time go by.
pass() { if [ $fast = 1 ]; then M clock "$1" >/dev/null; else sleep $(( ($1 + 999) / 1000 )); fi; }
# until_step ID STEP: wait (at most 3 minutes) for the matter to reach STEP.
until_step() {
    for _ in $(seq 360); do
        [ "$(M show "$1" | field "d['item']['step']")" = "$2" ] && return 0
        sleep 0.5
    done
    echo "matter $1 did not reach $2" >&2; return 1
}
now_ms() { if [ $fast = 1 ]; then M clock 1 | field "d['now_ms']"; else date +%s%3N; fi; }

say "居民提事: a resident proposes; neighbours co-sign until one fifth of the households have"
id=$(M --as r.s3.c3.g1.1.1 propose --scope community --area demo.s3.c3 --title 增设电动车充电桩 \
    --text '小区电动车楼道充电隐患大，建议在2号楼北侧增设集中充电桩' | field "d['item']['id']")
for h in 2 3 4 5; do M --as r.s3.c3.g1.$h.1 cosign "$id" >/dev/null; done
M show "$id" | field "'matter %d: %d co-signers, convene_required=%s' % (d['item']['id'], d['item']['cosigners'], d['item']['convene_required'])"

say "受理 and 网格议事: the party committee accepts (受理); residents give opinions for one minute"
M $PC accept "$id" >/dev/null
M --as r.s3.c3.g2.1.1 opine "$id" --stance for --text 支持，安全第一 >/dev/null
M --as r.s3.c3.g2.2.1 opine "$id" --stance against --text 担心占用绿地 >/dev/null
M --as r.s3.c3.g3.1.1 opine "$id" --stance for >/dev/null
pass 61000
until_step "$id" discussed
M show "$id" | field "'opinions: for %d, against %d, neutral %d' % (d['item']['opinions_for'], d['item']['opinions_against'], d['item']['opinions_neutral'])"

say "会议定事: the household representatives meet after a minute's notice, secret ballot"
# Two minutes ahead: the notice is one, and a loaded machine can take
# seconds between reading the clock and convening.
starts=$(( $(now_ms) + 120000 ))
M $PC convene "$id" --roster households --ballot secret --motion '同意在2号楼北侧增设集中充电桩' --starts-ms "$starts" >/dev/null
pass 121000
[ $fast = 1 ] || sleep 1
i=0
for g in 1 2 3; do for h in 1 2 3 4 5; do
    i=$((i + 1)); choice=yes; [ $i -gt 11 ] && choice=no
    M --as r.s3.c3.g$g.$h.1 vote "$id" --choice $choice >/dev/null
done; done
M $PC close "$id" | field "'tally: %(attended)d of %(roster_size)d attended, yes %(yes)d, no %(no)d, passed=%(passed)s' % dict({'passed': False}, **d['item']['meeting']['tally'])"

say "公示: the decision is published with the record's head hash; a minute for objections"
M $PC publish "$id" | field "'公示 head hash: ' + d['item']['decision_head']"
objection=$(M --as r.s3.c3.g4.1.1 object "$id" --text 请注意消防通道 >/dev/null &&
            M record "$id" | field "[__import__('json').loads(r['body'])['objection_id'] for r in d['records'] if r['kind'] == 'objection'][-1]")
M $SV observe "$id" --text 表决程序合规 >/dev/null
pass 61000
for _ in $(seq 360); do
    M record "$id" | field "any(r['kind'] == 'window_held' for r in d['records'])" | grep -q True && break
    sleep 0.5
done
M show "$id" | field "'step: %s, unanswered objections: %d' % (d['item']['step'], d['item']['objections_open'])"
echo "the 公示 ended; the objection holds the decision until the party committee answers it"
M $PC answer "$id" --objection "$objection" --text 充电桩选址已避开消防通道 >/dev/null
until_step "$id" approved

say "联动办事: 住建 is summoned through routing (a whistle); the residents' committee (居委会) executes"
M $C act "$id" --dept dept.zhujian --task 与物业协调选址 --text 充电桩施工 >/dev/null
say "五定: a task with its type, owner, standard and due date (5 working days); 住建 reports it, the supervision committee checks it (验收)"
M $C task "$id" --type renovation --owner-unit dept.zhujian --owner p.dept.zhujian.head \
    --standard 充电桩通过消防验收并接入电网 --days 5 --text 建设充电桩 >"${TMPDIR:-/tmp}/matter-task.$$"
task=$(field "d['item']['tasks'][-1]['id']" <"${TMPDIR:-/tmp}/matter-task.$$")
field "'task %d due %s' % (d['item']['tasks'][-1]['id'], __import__('time').strftime('%Y-%m-%d %H:%M', __import__('time').localtime(d['item']['tasks'][-1]['due_ms'] / 1000)))" <"${TMPDIR:-/tmp}/matter-task.$$"
rm -f "${TMPDIR:-/tmp}/matter-task.$$"
M --as p.dept.zhujian.head --unit dept.zhujian report "$id" --task "$task" --text 充电桩已通过消防验收 >/dev/null
M $SV check "$id" --task "$task" --verdict passed --note 符合标准 >/dev/null
M $C progress "$id" --text 充电桩已建成投用 --done >/dev/null
M $SV rate "$id" --rating satisfied --text 按期完成 >/dev/null

say "居民评事: residents rate the result for a minute"
M --as r.s3.c3.g1.1.1 evaluate "$id" --rating satisfied >/dev/null
M --as r.s3.c3.g2.2.1 evaluate "$id" --rating basic --text 位置可以更好 >/dev/null
pass 61000
until_step "$id" closed
M show "$id" | field "'closed: satisfied %d, basic %d, dissatisfied %d; %d records, head %s' % (d['item']['rated_satisfied'], d['item']['rated_basic'], d['item']['rated_dissatisfied'], d['item']['records'], d['item']['head_hash'][:16])"
M verify "$id" | field "'chain verified: ' + str(d.get('ok', False))"
echo "see it all: $govctl matter record $id; $govctl events tail --stream deliberation --from 0"
