#!/usr/bin/env bash
# The console (web/, docs/console.md) against real gov-intake, gov-routing and
# gov-gateway over CURVE. First the gateway as a file server: types, caching,
# no listing, no way out of web/ or the vendor folders. Then Debian's
# chromium, headless, driven by playwright-core (tests/e2e/console.mjs): a
# department clerk sees a dispatch arrive live, signs it, sees refusals with
# their codes; a resident files a case on the map; a street office sees a
# department sign live; the party committee takes a matter through a meeting
# of the standing council and the 两委 review (docs/deliberation.md); the
# centre reassigns a returned case; no request leaves
# 127.0.0.1, no console error, no horizontal scroll at 390x844.
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
. tests/cli/tap.sh
govctl="${GOV_BIN:-build/bin}/govctl"
. tests/cli/lib.sh
test_db cli_console
stack_ports
trap 'stop_services; service_reports "$tmp"; rm -rf "$tmp"' EXIT
start_service intake || not_ok "intake answers its health check"
# Routing on a test clock: the browser test moves it past a deadline (govctl dispatch clock).
start_service routing GOV_TEST_CLOCK=1 || not_ok "routing answers its health check"
start_service deliberation GOV_TEST_CLOCK=1 || not_ok "deliberation answers its health check"
# demo.s1.c1's meetings are announced a minute ahead (the browser test moves
# deliberation's clock with govctl matter clock).
q "UPDATE deliberation_rules SET notice_minutes = 1, publish_minutes = 10, evaluate_minutes = 10 WHERE community_id = (SELECT id FROM areas WHERE code = 'demo.s1.c1')" >/dev/null
# A copy of web/ with a symlink pointing out of it, which must not be followed.
cp -r web "$tmp/web" && ln -s /etc/hostname "$tmp/web/out.txt"
# One address logs in as a dozen people here, up to six of them with a page
# open at once, each page reading its lists again on every event: logins a
# minute raised from 10, requests a second from 50 (burst 100) to 500.
start_service gateway GOV_GATEWAY_WEB_DIR="$tmp/web" GOV_GATEWAY_LOGINS_PER_MIN=100 \
    GOV_GATEWAY_RATE=500 GOV_GATEWAY_BURST=500 || not_ok "the gateway answers its health check"
base="http://127.0.0.1:$GOV_GATEWAY_PORT"

# get NAME STATUS PATH [CURL-ARGS...]: the status of a GET, headers in $tmp/h.
get() {
    local name=$1 want=$2 path=$3; shift 3
    local got; got=$(curl -s --path-as-is -o "$tmp/body" -D "$tmp/h" -w '%{http_code}' "$@" "$base$path")
    if [ "$got" = "$want" ]; then ok "$name"; else not_ok "$name" "HTTP $got, wanted $want: $path"; fi
}

# --- the gateway serves the console --------------------------------------------------
get "/ is the console's page" 200 /
contains "... as HTML" "$tmp/h" "Content-Type: text/html; charset=utf-8"
contains "... revalidated on every load" "$tmp/h" "Cache-Control: no-cache"
contains "... with the CSP that forbids inline script" "$tmp/h" "script-src 'self';"
check "... the same bytes as web/index.html" cmp -s "$tmp/body" web/index.html
etag=$(sed -n 's/^ETag: //p' "$tmp/h" | tr -d '\r')
check "... with an ETag" test -n "$etag"
get "unchanged: 304" 304 / -H "If-None-Match: $etag"
get "a module" 200 /js/main.js
contains "... as JavaScript (nosniff needs the type)" "$tmp/h" "Content-Type: text/javascript"
get "Leaflet from Debian's libjs-leaflet" 200 /vendor/leaflet/leaflet.js
contains "... kept a day" "$tmp/h" "Cache-Control: public, max-age=86400"
check "... the installed file" cmp -s "$tmp/body" /usr/share/javascript/leaflet/leaflet.js
get "Leaflet's stylesheet" 200 /vendor/leaflet/leaflet.css
contains "... as CSS" "$tmp/h" "Content-Type: text/css"
get "Chart.js from Debian's libjs-chart.js" 200 /vendor/chart.js/chart.min.js
get "a folder is not listed" 404 /js/
get "a missing file" 404 /js/nothing.js
get "traversal: /../" 404 /../etc/passwd
get "traversal: encoded" 404 /%2e%2e/%2e%2e/etc/passwd
get "traversal: encoded slash" 404 /js%2f..%2f..%2fetc%2fpasswd
get "traversal: out of a vendor folder" 404 /vendor/leaflet/../../../../etc/passwd
get "another package under /usr/share/javascript is not served" 404 /vendor/jquery/jquery.js
get "a hidden file" 404 /.git/config
get "a kind of file not served" 404 /vendor/leaflet/leaflet.css.map
get "a symlink out of web/" 404 /out.txt
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/index.html")
if [ "$code" = 405 ]; then ok "a POST to a file: 405"; else not_ok "a POST to a file: 405" "got $code"; fi
get "the areas need a login" 401 /api/v1/areas

# --- the message tables cover every string the console shows (zh and en) -----------
if command -v node >/dev/null; then
    name="the i18n tables (zh.js, en.js) have every key the console uses, the same keys in both"
    if out=$(node tests/e2e/i18n.mjs); then ok "$name"; else not_ok "$name" "$(echo "$out" | sed -n 2,6p)"; fi
fi

# --- in the browser ---------------------------------------------------------------
pw='correct horse battery staple'
for p in p.dept.chengguan.head p.dept.shuiwu.head p.gt.s1.c1.g1.grid_worker r.s1.c1.g1.1.1 r.s1.c1.g1.1.2 p.centre.dispatcher p.so.s1.head p.cm.s1.c1.head p.pc.s1.c1.secretary r.s1.c1.g2.3.2 \
         r.s1.c1.g1.4.1 r.s1.c1.g2.1.1 r.s1.c1.g2.4.1 r.s1.c1.g3.1.1 r.s1.c1.g3.4.1; do
    echo "$pw" | "$govctl" person passwd "$p" >/dev/null || not_ok "govctl person passwd $p"
done
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ] || [ ! -d tests/e2e/node_modules/playwright-core ]; then
    not_ok "the browser tests run" "need $chromium and tests/e2e/node_modules (bash deploy/install.sh --test)"
else
    # The screenshots of each role's main page go to docs/screenshots/, which
    # the README shows (GOV_CONSOLE_SHOTS= elsewhere, or empty for none).
    shots=${GOV_CONSOLE_SHOTS-docs/screenshots}
    [ -z "$shots" ] || mkdir -p "$shots"
    started=$(date +%s)
    GOV_CONSOLE_URL="$base" GOV_CONSOLE_PASSWORD="$pw" CHROMIUM="$chromium" GOVCTL="$govctl" \
        GOV_CONSOLE_SHOTS="$shots" \
        timeout 300 node tests/e2e/console.mjs >"$tmp/e2e.out" 2>"$tmp/e2e.err"
    rc=$?
    echo "# the browser run took $(( $(date +%s) - started )) s (bounded by a 300 s timeout)"
    while IFS=$'\t' read -r line why; do
        case "$line" in
            PASS\ *) ok "browser: ${line#PASS }" ;;
            FAIL\ *) not_ok "browser: ${line#FAIL }" "$why" ;;
            \#*) echo "$line" ;;
        esac
    done <"$tmp/e2e.out"
    [ "$rc" = 0 ] || [ "$failed" -gt 0 ] || not_ok "the browser run exits 0" "exit $rc" "$(tail -5 "$tmp/e2e.err")"
fi
echo "1..$n"
[ "$failed" -eq 0 ]
