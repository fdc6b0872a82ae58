# Checks every command of a flow makes (sourced after tap.sh and lib.sh; the
# test sets $effects, one query whose value changes whenever the service
# writes anything a command can write).
#
# step NAME COMMAND...: runs COMMAND as one step of the flow, three ways:
#   - when an argument holds @TEXT@, first with 4,001 Chinese characters
#     there: refused with TEXT_TOO_LONG, and nothing written;
#   - then (with 4,000 there) under a new message id: it succeeds and writes;
#   - then again under the same id, as a client whose answer was lost would:
#     it succeeds, writes nothing more, and gives the same answer (unless
#     STEP_SAME_ANSWER=0: a secret vote's receipt is given once). When the
#     first run sets off writes elsewhere that come back later (a decision's
#     whistle), STEP_SETTLE is a command that waits for them first.
# $tmp/out and $tmp/err hold the first accepted run's output, for json().
# conflict NAME COMMAND...: the last step's message id with another request:
#   refused with IDEMPOTENCY_CONFLICT, and nothing written.
text4000=$(python3 -c 'print("议" * 4000, end="")')
text4001="${text4000}议"
step_id=""

# s_args WITH ARGS...: the arguments with @TEXT@ replaced by WITH, in s_argv.
s_args() {
    local with=$1 a; shift
    s_argv=()
    for a in "$@"; do s_argv+=("${a//@TEXT@/$with}"); done
}

step() {
    local name=$1 before after; shift
    local has_text=0 a
    for a in "$@"; do case "$a" in *@TEXT@*) has_text=1 ;; esac; done
    if [ "$has_text" = 1 ]; then
        s_args "$text4001" "$@"
        before=$(q "$effects")
        "${s_argv[@]}" >"$tmp/out" 2>"$tmp/err"
        local rc=$?
        after=$(q "$effects")
        if [ "$rc" = 1 ] && grep -q TEXT_TOO_LONG "$tmp/err" && [ "$before" = "$after" ]; then
            ok "$name: 4,001 characters are refused (TEXT_TOO_LONG), nothing written"
        else
            not_ok "$name: 4,001 characters are refused (TEXT_TOO_LONG), nothing written" \
                "exit $rc; effects $before -> $after" "$(head -c 300 "$tmp/err")"
        fi
    fi
    s_args "$text4000" "$@"
    step_id="step-$$-$n-$RANDOM"
    before=$(q "$effects")
    GOV_MESSAGE_ID=$step_id "${s_argv[@]}" >"$tmp/out" 2>"$tmp/err"
    local rc1=$?
    local mid
    [ -z "${STEP_SETTLE:-}" ] || eval "$STEP_SETTLE"
    mid=$(q "$effects")
    if [ "$rc1" = 0 ] && [ "$mid" != "$before" ]; then
        if [ "$has_text" = 1 ]; then ok "$name (4,000 characters)"; else ok "$name"; fi
    else
        not_ok "$name" "exit $rc1; effects $before -> $mid" "$(head -c 300 "$tmp/err")"
    fi
    GOV_MESSAGE_ID=$step_id "${s_argv[@]}" >"$tmp/again" 2>"$tmp/again.err"
    local rc2=$?
    after=$(q "$effects")
    local same=1
    [ "${STEP_SAME_ANSWER:-1}" = 0 ] || cmp -s "$tmp/out" "$tmp/again" || same=0
    if [ "$rc2" = 0 ] && [ "$after" = "$mid" ] && [ "$same" = 1 ]; then
        ok "... sent again with its message id: the same answer, nothing more written"
    else
        not_ok "... sent again with its message id: the same answer, nothing more written" \
            "exit $rc2; effects $mid -> $after; same answer: $same" "$(head -c 300 "$tmp/again.err")"
    fi
}

conflict() {
    local name=$1 before after; shift
    s_args "x" "$@"
    before=$(q "$effects")
    GOV_MESSAGE_ID=$step_id "${s_argv[@]}" >"$tmp/conflict" 2>"$tmp/conflict.err"
    local rc=$?
    after=$(q "$effects")
    if [ "$rc" = 1 ] && grep -q IDEMPOTENCY_CONFLICT "$tmp/conflict.err" && [ "$before" = "$after" ]; then
        ok "$name: its message id with another request is IDEMPOTENCY_CONFLICT"
    else
        not_ok "$name: its message id with another request is IDEMPOTENCY_CONFLICT" \
            "exit $rc; effects $before -> $after" "$(head -c 300 "$tmp/conflict.err")"
    fi
}
