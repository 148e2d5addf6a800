#!/usr/bin/env bash
# Independent credit-card client of the NHN Cloud Document OCR API v2.0, built with curl and
# openssl only, following the official guide:
#   https://github.com/TOAST-DOCS/OCR/blob/HEAD/en/document-ocr-api-guide-v2.0.md
# (sections "Issue Public Key" and "Credit Card API") and docs/emulated-api.md
# (IV = first 16 bytes of the symmetric key; every answer is HTTP 200).
#
# Usage: curl-openssl-client.sh BASE_URL APPKEY SECRETKEY IMAGE
# Prints resultCode=0, cardNums[i]=..., totalCardNum=..., validThru=MM/YY on success.
# Exits non-zero on any failure (transport, non-200, isSuccessful=false, crypto, parsing).
set -euo pipefail

die() { echo "curl-openssl-client: $*" >&2; exit 1; }

if [ "$#" -ne 4 ]; then
  echo "usage: $0 BASE_URL APPKEY SECRETKEY IMAGE" >&2
  exit 2
fi
base_url=${1%/}
app_key=$2
secret_key=$3
image=$4
[ -r "$image" ] || die "cannot read image: $image"
for tool in curl openssl od tr sed grep head; do
  command -v "$tool" >/dev/null 2>&1 || die "required tool not found: $tool"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ocr-interop.XXXXXX")
# The temp dir holds the plaintext symmetric key: remove it whatever happens.
trap 'rm -rf "$tmp"' EXIT

# --- tiny JSON helpers (sed/grep only; no JSON tool is assumed) -----------------------------
# The answer may be pretty-printed or compact, so it is first folded onto one line. JSON may
# escape "/" as "\/" (base64 contains "/"), so that escape is undone on extracted strings.
one_line() { tr -d '\r\n' <"$1"; }
# string_field NAME  (stdin: JSON text) -> first "NAME":"value" string value
string_field() {
  grep -o "\"$1\"[[:space:]]*:[[:space:]]*\"[^\"]*\"" | head -n 1 |
    sed -e 's/^.*:[[:space:]]*"//' -e 's/"$//' -e 's#\\/#/#g' || true
}
# number_field NAME  (stdin: JSON text) -> first "NAME":<integer> value
number_field() {
  grep -o "\"$1\"[[:space:]]*:[[:space:]]*-\{0,1\}[0-9]\{1,\}" | head -n 1 |
    sed -e 's/^.*:[[:space:]]*//' || true
}
# check_header FILE WHAT: the guide's envelope says success/failure lives in header.isSuccessful
# and header.resultCode (HTTP status is always 200).
check_header() {
  local body code
  body=$(one_line "$1")
  code=$(printf '%s' "$body" | number_field resultCode)
  [ -n "$code" ] || die "$2: no header.resultCode in answer: $body"
  if ! printf '%s' "$body" | grep -q '"isSuccessful"[[:space:]]*:[[:space:]]*true' || [ "$code" != "0" ]; then
    echo "resultCode=$code"
    echo "$2 failed: resultMessage=$(printf '%s' "$body" | string_field resultMessage)" >&2
    exit 1
  fi
}
# http_call OUTFILE curl-args... : run curl, insist on HTTP 200 (guide: every answer is 200).
http_call() {
  local out=$1 status
  shift
  status=$(curl -sS -o "$out" -w '%{http_code}' "$@") || die "transport failure calling ${*: -1}"
  [ "$status" = "200" ] || die "HTTP $status from ${*: -1}: $(one_line "$out")"
}

# --- 1. Issue Public Key: GET /v2.0/appkeys/{appKey}/public-keys/credit-card ----------------
# Guide "Issue Public Key": header Authorization: {secretKey}; result.key is Base64 (DER X.509
# SubjectPublicKeyInfo per docs/emulated-api.md), result.version is a string.
http_call "$tmp/public-key.json" \
  -H "Authorization: $secret_key" \
  "$base_url/v2.0/appkeys/$app_key/public-keys/credit-card"
check_header "$tmp/public-key.json" "public key"
pk_json=$(one_line "$tmp/public-key.json")
pk_b64=$(printf '%s' "$pk_json" | string_field key)
key_version=$(printf '%s' "$pk_json" | string_field version)
[ -n "$pk_b64" ] || die "public key answer has no result.key"
[ -n "$key_version" ] || die "public key answer has no result.version string"
printf '%s' "$pk_b64" | openssl base64 -d -A >"$tmp/public-key.der" || die "result.key is not base64"
openssl pkey -pubin -inform DER -in "$tmp/public-key.der" -noout 2>/dev/null ||
  die "result.key is not a DER SubjectPublicKeyInfo"

# --- 2. Symmetric key: 32 random bytes, new for this request ----------------------------------
# Guide "Caution" and "Credit Card API / Request Header": {symmetricKey} is a 32-byte random
# number, wrapped with RSA/ECB/PKCS1Padding (PKCS#1 v1.5) under the public key, sent as base64.
openssl rand -out "$tmp/symmetric.key" 32
key_hex=$(od -An -v -tx1 "$tmp/symmetric.key" | tr -d ' \n')
[ "${#key_hex}" -eq 64 ] || die "could not hex-encode the symmetric key"
# IV = bytes 0..15 of the symmetric key (docs/emulated-api.md; the guide names only AES-256/CBC/PKCS7).
iv_hex=${key_hex:0:32}
openssl pkeyutl -encrypt -pubin -keyform DER -inkey "$tmp/public-key.der" \
  -pkeyopt rsa_padding_mode:pkcs1 -in "$tmp/symmetric.key" -out "$tmp/symmetric.wrapped" ||
  die "RSA wrap of the symmetric key failed"
wrapped_b64=$(openssl base64 -A -in "$tmp/symmetric.wrapped")

# --- 3. Encrypt the image: AES-256/CBC/PKCS7Padding -------------------------------------------
# Guide "Credit Card API / Field": the multipart field `image` carries the encrypted image.
# `openssl enc` with explicit -K/-iv writes raw ciphertext (no salt header), PKCS#7 padded.
openssl enc -aes-256-cbc -K "$key_hex" -iv "$iv_hex" -in "$image" -out "$tmp/image.enc" ||
  die "AES encryption of the image failed"

# --- 4. Credit Card Analysis: POST /v2.0/appkeys/{appKey}/credit-card -----------------------
# Guide "Credit Card API / Request": Authorization, X-Key-Version, Symmetric-Key, -F image=@...
http_call "$tmp/credit-card.json" \
  -H "Authorization: $secret_key" \
  -H "X-Key-Version: $key_version" \
  -H "Symmetric-Key: $wrapped_b64" \
  -F "image=@$tmp/image.enc" \
  "$base_url/v2.0/appkeys/$app_key/credit-card"
check_header "$tmp/credit-card.json" "credit card"
cc_json=$(one_line "$tmp/credit-card.json")

# --- 5. Decrypt the encrypted response values -------------------------------------------------
# Guide "Credit Card API / Response / Field": cardNums[].value, totalCardNum and
# validThru.value are AES-256/CBC/PKCS7Padding with the same symmetric key, base64-encoded.
decrypt() {
  local plain
  plain=$(printf '%s\n' "$1" | openssl enc -d -aes-256-cbc -K "$key_hex" -iv "$iv_hex" -A -base64) ||
    die "cannot decrypt value: $1"
  printf '%s' "$plain"
}

card_nums=$(printf '%s' "$cc_json" | grep -o '"cardNums"[[:space:]]*:[[:space:]]*\[[^]]*\]' | head -n 1 || true)
[ -n "$card_nums" ] || die "answer has no result.cardNums array: $cc_json"
total_b64=$(printf '%s' "$cc_json" | string_field totalCardNum)
[ -n "$total_b64" ] || die "answer has no result.totalCardNum"
# "validThru" with its closing quote does not match "validThruBox".
valid_thru_obj=$(printf '%s' "$cc_json" | grep -o '"validThru"[[:space:]]*:[[:space:]]*{[^}]*}' | head -n 1 || true)
valid_thru_b64=$(printf '%s' "$valid_thru_obj" | string_field value)
[ -n "$valid_thru_b64" ] || die "answer has no result.validThru.value"

echo "resultCode=0"
i=0
while IFS= read -r value_b64; do
  [ -n "$value_b64" ] || continue
  echo "cardNums[$i]=$(decrypt "$value_b64")"
  i=$((i + 1))
done < <(printf '%s' "$card_nums" | grep -o '"value"[[:space:]]*:[[:space:]]*"[^"]*"' |
  sed -e 's/^.*:[[:space:]]*"//' -e 's/"$//' -e 's#\\/#/#g')
[ "$i" -gt 0 ] || die "result.cardNums has no value"
echo "totalCardNum=$(decrypt "$total_b64")"
echo "validThru=$(decrypt "$valid_thru_b64")"
