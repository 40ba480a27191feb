#!/usr/bin/env bash
# walkthrough-cases.sh — the case desk's "done when", through a real mail
# server and Samla's API, the way a new user would try it:
#
#   eval "$(scripts/mail-stack.sh start)"               # as root
#   SAMLA_IMAP_HOST=127.0.0.1 SAMLA_IMAP_PORT=10993 SAMLA_IMAP_CA_FILE=$SAMLA_TEST_MAIL_CA \
#   SAMLA_IMAP_USER=desk SAMLA_IMAP_PASSWORD=deskpass SAMLA_IMAP_EVERY=2s \
#   SAMLA_CASE_ADDRESS="Konsortiet <desk@konsortium.test>" \
#   SAMLA_SMTP_HOST=127.0.0.1 SAMLA_SMTP_PORT=2525 SAMLA_SMTP_TLS=none \
#   SAMLA_MAIL_FROM=desk@konsortium.test samla serve --data DIR &
#   SAMLA=http://127.0.0.1:8080 ADMIN_TOKEN=… scripts/walkthrough-cases.sh
#
# It mails the desk with curl over SMTP (Postfix on 127.0.0.1:2525), reads
# the vendor's mailbox with curl over IMAP, and talks to Samla only through
# its API. Needs curl and jq. The vendor (support@leverandor.test) is made
# known to Samla by its mail domain through the API's vendor endpoint.
set -euo pipefail

: "${SAMLA:?SAMLA=http://host:port}" "${ADMIN_TOKEN:?ADMIN_TOKEN=an admin API token}"
SMTP=${SAMLA_TEST_MAIL_SMTP:-127.0.0.1:2525}
IMAP=${SAMLA_TEST_MAIL_IMAP:-127.0.0.1:10143}
run=$(date +%s)

api() {
	local method=$1 path=$2
	shift 2
	curl -sS -f -X "$method" -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' "$SAMLA/api/v1$path" "$@"
}

send() { # from, rcpt…, then the message on stdin
	local from=$1
	shift
	local args=()
	for r in "$@"; do args+=(--mail-rcpt "$r"); done
	curl -sS "smtp://$SMTP" --mail-from "$from" "${args[@]}" -T -
}

wait_case() { # subject → case id
	for _ in $(seq 1 60); do
		id=$(api GET "/cases?state=all" | jq -r --arg s "$1" '[.[] | select(.subject == $s)][0].id // empty')
		[ -n "$id" ] && { echo "$id"; return; }
		sleep 1
	done
	echo "no case \"$1\" after 60 s" >&2
	exit 1
}

echo "== a library whose contact writes from bibliotek@bibliotek.test"
lib=$(api POST /libraries -d "{\"name\":\"Eksempel bibliotek $run\",\"type\":\"public\",\"municipality_number\":\"4601\"}" | jq -r '.library.id // .id')
api POST "/libraries/$lib/contacts" -d '{"name":"Kari Nordmann","email":"bibliotek@bibliotek.test","role":"primary"}' >/dev/null
echo "library $lib with contact bibliotek@bibliotek.test"

echo "== a vendor known by its mail domain"
vendor=$(api POST /vendors -d "{\"name\":\"Leverandøren $run AS\",\"country\":\"NO\",\"mail_domains\":\"leverandor.test\"}" | jq -r .id)
echo "vendor $vendor: mail from leverandor.test is this vendor's"

echo "== 1. a test client mails the consortium's mailbox"
send ola@example.org desk@konsortium.test <<M
From: Ola Låner <ola@example.org>
To: desk@konsortium.test
Subject: Fjerntilgang $run
Message-ID: <q-$run@example.org>
Content-Type: text/plain; charset=utf-8

Hvordan logger jeg på hjemmefra?
M
first=$(wait_case "Fjerntilgang $run")
api GET "/cases/$first" | jq -r '"case \(.case.id): \(.case.subject) [\(.case.state)] from \(.messages[0].from)"'

echo "== 2. a library writes to the vendor with the consortium on copy"
send bibliotek@bibliotek.test support@leverandor.test desk@konsortium.test <<M
From: Kari Nordmann <bibliotek@bibliotek.test>
To: support@leverandor.test
Cc: Konsortiet <desk@konsortium.test>
Subject: Avisarkivet nede $run
Message-ID: <lib-$run@bibliotek.test>
Content-Type: text/plain; charset=utf-8

Lånerne får «ingen tilgang» siden mandag.
M
second=$(wait_case "Avisarkivet nede $run")
api GET "/cases/$second" | jq -r '"case \(.case.id): library_id=\(.case.library_id) vendor_id=\(.case.vendor_id) participants: \([.participants[] | "\(.email) (\(.kind))"] | join(", "))"'

echo "== 3. a reply from Samla to the participants"
api POST "/cases/$second/replies" -d '{"body":"Vi har meldt feilen til leverandøren.","state":"waiting_vendor"}' |
	jq -r '"sent as \(.message_id) to \(.to) cc \(.cc)"'
for _ in $(seq 1 60); do
	uid=$(curl -sS "imap://$IMAP/INBOX" -u support:supportpass -X "UID SEARCH HEADER Subject \"Samla #$second\"" | tr -d '\r' | awk '/SEARCH/ {print $NF}' | grep -E '^[0-9]+$' || true)
	[ -n "$uid" ] && break
	sleep 1
done
[ -n "$uid" ] || { echo "the reply did not reach the vendor's mailbox" >&2; exit 1; }
headers=$(curl -sS "imap://$IMAP/INBOX;UID=$uid;SECTION=HEADER" -u support:supportpass)
echo "the vendor's mailbox has it:"
grep -iE '^(message-id|in-reply-to|references|subject|from|to|cc|reply-to):' <<<"$headers" | sed 's/^/  /'
ours=$(grep -i '^message-id:' <<<"$headers" | sed 's/^[^:]*: *//' | tr -d '\r')

echo "== 4. the vendor answers all; its client rewrote the subject"
send support@leverandor.test bibliotek@bibliotek.test desk@konsortium.test <<M
From: Support <support@leverandor.test>
To: bibliotek@bibliotek.test
Cc: desk@konsortium.test
Subject: Sak registrert
Message-ID: <ven-$run@leverandor.test>
In-Reply-To: $ours
References: <lib-$run@bibliotek.test> $ours
Content-Type: text/plain; charset=utf-8

IP-listen er rettet.
M
for _ in $(seq 1 60); do
	n=$(api GET "/cases/$second" | jq '.messages | length')
	[ "$n" -ge 3 ] && break
	sleep 1
done
api GET "/cases/$second" | jq -r '"case \(.case.id) [\(.case.state)]:", (.messages[] | "  \(.kind) \(.from) \(.thread_rule // "") — \(.text | split("\n")[0])")'
echo "cases with \"$run\" in them: $(api GET "/cases?state=all&q=$run" | jq length) (want 2)"
