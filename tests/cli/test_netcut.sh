#!/usr/bin/env bash
# Network cuts (tests/chaos/netcut.sh): intake in a network namespace of the
# test's own, its links to PostgreSQL, to routing and notify, and to the
# gateway each cut for 12 s under 20 filings a second: requests answered with
# 503 and a clear code within the gateway's timeout, filings resumed within
# seconds of the link's return, nothing acknowledged lost, nothing twice.
# About two and a half minutes. Needs root (ip netns, nft); skipped without.
exec bash "$(dirname "$0")/../chaos/netcut.sh" 20 12
