#!/usr/bin/env bash
# Independent v2.1 client of the NHN Cloud Document OCR API, built with curl and openssl only,
# following the v2.1 guide and the User Access Key token page:
#   https://github.com/TOAST-DOCS/OCR/blob/HEAD/en/document-ocr-api-guide-v2.1.md
#   NHN Cloud public API "User Access Key token" (POST /oauth2/token/create, /oauth2/token/revoke)
# and docs/emulated-api.md (IV = first 16 bytes of the symmetric key; every OCR answer
# is HTTP 200; token errors are RFC 6749 section 5.2).
#
# Usage: curl-openssl-client-v21.sh OCR_BASE_URL OAUTH_BASE_URL APPKEY USER_ACCESS_KEY_ID SECRET_ACCESS_KEY CARD_IMAGE ID_IMAGE
# Prints name=value lines: the token, credit card, ID card and authenticity results, then what
# a revoked token, a garbage token and bad client credentials get. Exits non-zero on any
# unexpected transport or crypto failure.
set -euo pipefail

die() { echo "curl-openssl-client-v21: $*" >&2; exit 1; }

if [ "$#" -ne 7 ]; then
  echo "usage: $0 OCR_BASE_URL OAUTH_BASE_URL APPKEY USER_ACCESS_KEY_ID SECRET_ACCESS_KEY CARD_IMAGE ID_IMAGE" >&2
  exit 2
fi
base_url=${1%/}
oauth_url=${2%/}
app_key=$3
access_key_id=$4
secret_access_key=$5
card_image=$6
id_image=$7
for tool in curl openssl od tr sed grep head; do
  command -v "$tool" >/dev/null 2>&1 || die "required tool not found: $tool"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ocr-interop-v21.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- tiny JSON helpers (sed/grep only) --------------------------------------------------------
one_line() { tr -d '\r\n' <"$1"; }
string_field() {
  grep -o "\"$1\"[[:space:]]*:[[:space:]]*\"[^\"]*\"" | head -n 1 |
    sed -e 's/^.*:[[:space:]]*"//' -e 's/"$//' -e 's#\\/#/#g' || true
}
number_field() {
  grep -o "\"$1\"[[:space:]]*:[[:space:]]*-\{0,1\}[0-9]\{1,\}" | head -n 1 |
    sed -e 's/^.*:[[:space:]]*//' || true
}
# call OUTFILE curl-args... -> prints the HTTP status
call() {
  local out=$1
  shift
  curl -sS -o "$out" -w '%{http_code}' "$@" || die "transport failure calling ${*: -1}"
}
result_code() { one_line "$1" | number_field resultCode; }

# --- 1. Token: POST /oauth2/token/create, Basic id:secret, grant_type=client_credentials ------
status=$(call "$tmp/token.json" -u "$access_key_id:$secret_access_key" -d grant_type=client_credentials "$oauth_url/oauth2/token/create")
[ "$status" = "200" ] || die "token/create answered HTTP $status: $(one_line "$tmp/token.json")"
token=$(one_line "$tmp/token.json" | string_field access_token)
[ -n "$token" ] || die "no access_token in $(one_line "$tmp/token.json")"
echo "token.type=$(one_line "$tmp/token.json" | string_field token_type)"
echo "token.expiresIn=$(one_line "$tmp/token.json" | number_field expires_in)"
auth="X-NHN-Authorization: Bearer $token"

# --- 2. Public keys and a fresh symmetric key per request --------------------------------------
public_key() { # SERVICE -> writes $tmp/SERVICE.der, prints the version
  call "$tmp/$1.json" -H "$auth" "$base_url/v2.1/appkeys/$app_key/public-keys/$1" >/dev/null
  [ "$(result_code "$tmp/$1.json")" = "0" ] || die "public key $1: $(one_line "$tmp/$1.json")"
  one_line "$tmp/$1.json" | string_field key | openssl base64 -d -A >"$tmp/$1.der"
  one_line "$tmp/$1.json" | string_field version
}
new_key() { # SERVICE -> sets key_hex, iv_hex, wrapped_b64
  openssl rand -out "$tmp/symmetric.key" 32
  key_hex=$(od -An -v -tx1 "$tmp/symmetric.key" | tr -d ' \n')
  iv_hex=${key_hex:0:32}
  openssl pkeyutl -encrypt -pubin -keyform DER -inkey "$tmp/$1.der" -pkeyopt rsa_padding_mode:pkcs1 \
    -in "$tmp/symmetric.key" -out "$tmp/symmetric.wrapped" || die "RSA wrap failed"
  wrapped_b64=$(openssl base64 -A -in "$tmp/symmetric.wrapped")
}
encrypt_value() { printf '%s' "$1" | openssl enc -aes-256-cbc -K "$key_hex" -iv "$iv_hex" -A -base64; }
decrypt_value() { printf '%s\n' "$1" | openssl enc -d -aes-256-cbc -K "$key_hex" -iv "$iv_hex" -A -base64 || die "cannot decrypt $1"; }

# --- 3. Credit card -------------------------------------------------------------------------
card_version=$(public_key credit-card)
new_key credit-card
openssl enc -aes-256-cbc -K "$key_hex" -iv "$iv_hex" -in "$card_image" -out "$tmp/card.enc"
call "$tmp/card.json" -H "$auth" -H "X-Key-Version: $card_version" -H "Symmetric-Key: $wrapped_b64" \
  -F "image=@$tmp/card.enc" "$base_url/v2.1/appkeys/$app_key/credit-card" >/dev/null
echo "creditCard.resultCode=$(result_code "$tmp/card.json")"
echo "creditCard.totalCardNum=$(decrypt_value "$(one_line "$tmp/card.json" | string_field totalCardNum)")"

# --- 4. ID card, with the Request-Key response header ------------------------------------------
id_version=$(public_key id-card)
new_key id-card
openssl enc -aes-256-cbc -K "$key_hex" -iv "$iv_hex" -in "$id_image" -out "$tmp/id.enc"
call "$tmp/id.json" -D "$tmp/id.headers" -H "$auth" -H "X-Key-Version: $id_version" -H "Symmetric-Key: $wrapped_b64" \
  -F "image=@$tmp/id.enc" "$base_url/v2.1/appkeys/$app_key/id-card" >/dev/null
echo "idCard.resultCode=$(result_code "$tmp/id.json")"
request_key=$(tr -d '\r' <"$tmp/id.headers" | grep -i '^request-key:' | head -n 1 | sed 's/^[^:]*:[[:space:]]*//' || true)
echo "idCard.requestKey=${request_key:-none}"
id_json=$(one_line "$tmp/id.json")
key_value() { # KEY -> decrypted value of keyValues[key=KEY]
  local b64
  b64=$(printf '%s' "$id_json" | grep -o "\"key\"[[:space:]]*:[[:space:]]*\"$1\"[[:space:]]*,[[:space:]]*\"value\"[[:space:]]*:[[:space:]]*\"[^\"]*\"" |
    head -n 1 | sed -e 's/^.*"value"[[:space:]]*:[[:space:]]*"//' -e 's/"$//' -e 's#\\/#/#g')
  [ -n "$b64" ] || die "no keyValues entry $1"
  decrypt_value "$b64"
}
name=$(key_value name)
resident_number=$(key_value residentNumber | tr -cd '0-9')
issue_date=$(key_value issueDate | tr -cd '0-9')

# --- 5. Authenticity: the values read, encrypted under a new key --------------------------------
new_key id-card
body="{\"idType\":\"resident\",\"name\":\"$(encrypt_value "$name")\",\"residentNumber\":\"$(encrypt_value "$resident_number")\",\"issueDate\":\"$(encrypt_value "$issue_date")\"}"
call "$tmp/auth.json" -H "$auth" -H "X-Key-Version: $id_version" -H "Symmetric-Key: $wrapped_b64" \
  -H "Request-Key: $request_key" -H 'Content-Type: application/json' -d "$body" \
  "$base_url/v2.1/appkeys/$app_key/id-card/authenticity" >/dev/null
echo "authenticity.resultCode=$(result_code "$tmp/auth.json")"
echo "authenticity.isAuthenticity=$(one_line "$tmp/auth.json" | grep -o '"isAuthenticity"[[:space:]]*:[[:space:]]*[a-z]*' | sed 's/.*:[[:space:]]*//')"

# --- 6. Revoke the token; it no longer opens anything ------------------------------------------
echo "revoke.status=$(call "$tmp/revoke.out" -u "$access_key_id:$secret_access_key" -d "token=$token" "$oauth_url/oauth2/token/revoke")"
echo "revoked.status=$(call "$tmp/revoked.json" -H "$auth" "$base_url/v2.1/appkeys/$app_key/public-keys/id-card")"
echo "revoked.resultCode=$(result_code "$tmp/revoked.json")"
echo "garbage.resultCode=$(call "$tmp/garbage.json" -H 'X-NHN-Authorization: Bearer garbage' "$base_url/v2.1/appkeys/$app_key/public-keys/id-card" >/dev/null; result_code "$tmp/garbage.json")"
echo "badClient.status=$(call "$tmp/bad.json" -D "$tmp/bad.headers" -u "$access_key_id:wrong" -d grant_type=client_credentials "$oauth_url/oauth2/token/create")"
echo "badClient.error=$(one_line "$tmp/bad.json" | string_field error)"
echo "badClient.wwwAuthenticate=$(tr -d '\r' <"$tmp/bad.headers" | grep -i '^www-authenticate:' | sed 's/^[^:]*:[[:space:]]*//' | cut -d' ' -f1)"
