#!/bin/sh
# Runs the Go example suite against the emulator at $EMULATOR_URL (http://127.0.0.1:8080 by
# default). Standard library only: no module download, so it runs offline. The build cache
# stays between runs (GOCACHE, default under the system's temporary directory, per user) so a
# second run does not compile the standard library again.
set -eu
cd "$(dirname "$0")"
cache="${TMPDIR:-/tmp}/nhn-ocr-example-go-$(id -u)"
export GOCACHE="${GOCACHE:-$cache/cache}" GOPATH="${GOPATH:-$cache/path}"
export GOFLAGS="${GOFLAGS:--mod=mod}" GOPROXY="${GOPROXY:-off}" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
# -count=1: a test run against a server must never be answered from the test cache.
exec go test -count=1 -v "$@" ./...
