#!/usr/bin/env bash
# walkthrough-enrolment.sh — the yearly enrolment from start to finish, through
# the API of a running Samla (issue 4's "done when"):
#   a consortium admin publishes two products (one whose licence terms each
#   library must accept itself), makes an agreement with an offer for each and
#   opens an enrolment window; a library contact enrols, sees the subscription
#   wait for terms, accepts them, and sees it active.
#
# Usage: SAMLA=http://127.0.0.1:8080 ADMIN_TOKEN=… LIBRARY_TOKEN=… LIBRARY_ID=… scripts/walkthrough-enrolment.sh
# (tokens from `samla user token --email …`). Needs curl and python3.
set -euo pipefail
: "${SAMLA:?}" "${ADMIN_TOKEN:?}" "${LIBRARY_TOKEN:?}" "${LIBRARY_ID:?}"

call() { # call TOKEN METHOD PATH [JSON]
	curl -sS --fail-with-body -X "$2" -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
		${4:+--data "$4"} "$SAMLA/api/v1$3"
}
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d'+sys.argv[1]))" "$1"; }
say() { printf '\n== %s\n' "$*"; }

today=$(TZ=Europe/Oslo date +%F)
closes=$(TZ=Europe/Oslo date -d '+20 days' +%F)
year=$(TZ=Europe/Oslo date +%Y)
texts='{"nb":{"description":"Demo.","answer_access":"Via IP.","answer_home":"Nei.","answer_share":"Nei.","answer_support":"Skriv til leverandøren."}}'

say "admin: a vendor and two published products"
vendor=$(call "$ADMIN_TOKEN" POST /vendors "{\"name\":\"Walkthrough AS $RANDOM\",\"country\":\"NO\"}" | field "['id']")
news=$(call "$ADMIN_TOKEN" POST /products "{\"vendor_id\":$vendor,\"name\":\"Nyhetsbasen $RANDOM\",\"access_methods\":[\"ip\"],\"target_groups\":[\"public\"],\"published\":true,\"texts\":$texts}" | field "['id']")
law=$(call "$ADMIN_TOKEN" POST /products "{\"vendor_id\":$vendor,\"name\":\"Lovbasen $RANDOM\",\"access_methods\":[\"ip\"],\"target_groups\":[\"public\"],\"requires_terms_acceptance\":true,\"published\":true,\"texts\":$texts}" | field "['id']")
call "$ADMIN_TOKEN" POST "/products/$law/licences" '{"text":"Lisensvilkår.","terms":{"walk_in":{"value":"yes"},"remote_access":{"value":"no"}}}' >/dev/null
echo "products $news and $law published; licence version 1 on $law"

say "admin: agreement, offers, and a window open today"
agreement=$(call "$ADMIN_TOKEN" POST /agreements "{\"vendor_id\":$vendor,\"name\":\"Walkthrough $year\",\"starts_on\":\"$today\",\"ends_on\":\"$year-12-31\"}" | field "['id']")
o1=$(call "$ADMIN_TOKEN" POST "/agreements/$agreement/offers" "{\"product_id\":$news,\"price_minor\":1250000,\"currency\":\"NOK\"}" | field "['id']")
o2=$(call "$ADMIN_TOKEN" POST "/agreements/$agreement/offers" "{\"product_id\":$law,\"price_minor\":890000,\"currency\":\"NOK\"}" | field "['id']")
window=$(call "$ADMIN_TOKEN" POST /windows "{\"name\":\"Walkthrough\",\"opens_on\":\"$today\",\"closes_on\":\"$closes\",\"offer_ids\":[$o1,$o2]}" | field "['window']['window']['id']")
echo "window $window open $today–$closes with offers $o1, $o2"

say "library: answers yes to both offers"
for o in "$o1" "$o2"; do
	call "$LIBRARY_TOKEN" PUT "/windows/$window/libraries/$LIBRARY_ID/offers/$o/answer" '{"answer":"yes"}' | field "['answer']"
done

state() { call "$1" GET "/libraries/$LIBRARY_ID/subscriptions" | python3 -c "import json,sys; [print(s['product_name'], '→', s['state']) for s in json.load(sys.stdin) if s['product_id'] in ($news,$law)]"; }
say "library: subscriptions"
state "$LIBRARY_TOKEN"

say "admin tries to accept the terms for the library (must be refused)"
code=$(curl -sS -o /tmp/walkthrough.refusal -w '%{http_code}' -X POST -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
	--data '{"licence_version":1}' "$SAMLA/api/v1/libraries/$LIBRARY_ID/terms/$law/accept")
echo "HTTP $code: $(field "['detail']" </tmp/walkthrough.refusal)"
[ "$code" = 403 ]

say "library: accepts the terms itself"
call "$LIBRARY_TOKEN" POST "/libraries/$LIBRARY_ID/terms/$law/accept" '{"licence_version":1}' | field "['accepted_by']"

say "library: subscriptions"
state "$LIBRARY_TOKEN"
