#!/usr/bin/env bash
# walkthrough-billing.sh — a year's invoicing from start to finish, through the
# API of a running `samla demo`:
#   a consortium admin looks at the agreements and their price models, sets a
#   price (after one that is refused), enrols libraries that said yes on the
#   phone, makes next year's subscriptions run, looks at its invoices and
#   skipped subscribers, approves it twice (the second time changes nothing),
#   downloads every invoice as EHF and checks the files with the PEPPOL rules
#   when Java is there, and reads the economy report for this year (the demo's
#   finished year: deficit and currency result) and the next.
#
# Usage: SAMLA=http://127.0.0.1:8080 ADMIN_TOKEN=… [OUT=dir] scripts/walkthrough-billing.sh
# (ADMIN_TOKEN from `samla user token --email admin@samla.example --data DIR`;
# OUT is where the EHF files go, a new directory under /tmp by default).
# Needs curl and python3. Run it again and the new run has nothing left to
# bill: it is discarded.
set -euo pipefail
: "${SAMLA:?}" "${ADMIN_TOKEN:?}"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${OUT:-$(mktemp -d /tmp/samla-ehf-XXXXXX)}
mkdir -p "$out"

call() { # call METHOD PATH [JSON]
	curl -sS --fail-with-body -X "$1" -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
		${3:+--data "$3"} "$SAMLA/api/v1$2"
}
# py CODE: runs CODE with d = the JSON on stdin and kr(minor) for amounts.
py() {
	python3 -c "import json,sys
def kr(m, cur='NOK'):
    s = '-' if m < 0 else ''
    m = abs(m)
    return f\"{s}{m//100:,}.{m%100:02d} {cur}\".replace(',', ' ')
d = json.load(sys.stdin)
$1"
}
say() { printf '\n== %s\n' "$*"; }

year=$(TZ=Europe/Oslo date +%Y)
next=$((year + 1))
today=$(TZ=Europe/Oslo date +%F)

say "agreements with their currency markup"
call GET /billing/agreements | py "
for a in d: print(f\"{a['id']:>3}  {a['name']:<32} {a['vendor']:<18} {a['starts_on']} – {a['ends_on']}  markup {a['markup_bp']/100:g} %\")"

window=$(call GET /windows | py "print(next(w['window']['id'] for w in d if w['status'] == 'open'))")
call GET "/windows/$window/offers" >/tmp/walkthrough-billing.offers
agreements=$(py "print(' '.join(sorted({str(o['agreement']['id']) for o in d})))" </tmp/walkthrough-billing.offers)
say "the offers of open window $window, priced"
for a in $agreements; do
	call GET "/billing/agreements/$a/offers" | py "
for o in d:
    s = o['spec']
    how = {'flat': lambda: kr(o['flat_minor'], o['currency']) + ' per library',
           'tiers': lambda: ', '.join(f\"{b['from']}–{b.get('to') or ''}: {kr(b['price_minor'], o['currency'])}\" for b in s['bands']) + ' by ' + s['basis'],
           'rate': lambda: f\"{s['rate']} {o['currency']} per {s['basis']}\",
           'shared': lambda: kr(s['total_minor'], o['currency']) + f\" shared among {s['among']} by {s['key']}\"}.get(o['model'], lambda: '')()
    print(f\"offer {o['offer_id']:>2}  {o['product']:<18} {o['model']:<6} {how}; VAT {o['vat_category']} {o['vat_rate_bp']/100:g} %; {o['subscribers']} subscribers\")"
done

rate_offer=$(py "print(next(o['offer']['id'] for o in d if o['offer']['price_model'] == 'rate'))" </tmp/walkthrough-billing.offers)
say "admin: a tier price with overlapping bands is refused"
code=$(curl -sS -o /tmp/walkthrough-billing.refusal -w '%{http_code}' -X PUT -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
	--data '{"model":"tiers","currency":"SEK","spec":{"basis":"students","bands":[{"from":0,"to":500,"price_minor":150000},{"from":400,"price_minor":250000}]}}' \
	"$SAMLA/api/v1/billing/offers/$rate_offer/price")
echo "HTTP $code"
py "print(d['detail']); [print(' ', e['location'], '—', e['message']) for e in d['errors']]" </tmp/walkthrough-billing.refusal
[ "$code" = 422 ]

say "admin: offer $rate_offer costs SEK 2.75 per student, at least 1 500 and at most 20 000"
call PUT "/billing/offers/$rate_offer/price" \
	'{"model":"rate","currency":"SEK","spec":{"basis":"students","rate":"2.75","min_minor":150000,"max_minor":2000000}}' |
	py "print(f\"{d['product']}: {d['model']} {d['spec']['rate']} {d['currency']} per {d['spec']['basis']}, min {kr(d['spec']['min_minor'], d['currency'])}, max {kr(d['spec']['max_minor'], d['currency'])}\")"

say "admin: enrols two of every three invited Norwegian libraries (they said yes on the phone)"
# Offers whose licence each library must accept itself are left to the
# libraries: the consortium must not enrol them on their behalf.
free=$(py "print(' '.join(str(o['offer']['id']) for o in d if not o['product']['requires_terms_acceptance']))" </tmp/walkthrough-billing.offers)
answers=$(call GET "/windows/$window/progress" | py "
free = set(int(x) for x in '$free'.split())
n = 0
for lib in d:
    if lib['country'] != 'NO':
        continue  # EHF goes to Norwegian buyers only
    for o in lib['offers']:
        if o['offer_id'] in free:
            n += 1
            if n % 3:
                print(lib['library_id'], o['offer_id'])")
yes=0
while read -r lib offer; do
	[ -n "$lib" ] || continue
	call PUT "/windows/$window/libraries/$lib/offers/$offer/answer" '{"answer":"yes","change_reason":"Ja på telefon (walkthrough)"}' >/dev/null
	yes=$((yes + 1))
done <<<"$answers"
echo "$yes answers yes; offers not needing the library's own terms acceptance: $free"

say "admin: the subscriptions run for $next"
run=$(call POST /invoice-runs "{\"kind\":\"subscriptions\",\"name\":\"Lisenser $next\",\"period_from\":\"$next-01-01\",\"period_to\":\"$next-12-31\",\"issue_date\":\"$today\"}")
run_id=$(py "print(d['run']['id'])" <<<"$run")
py "
r = d['run']
print(f\"run {r['id']} ({r['status']}): {r['invoices']} invoices, {kr(r['total_minor'], r['currency'])}, rates of {r['rate_date']}\")
for i in d['invoices']:
    print(f\"  {i['buyer_name']:<40} net {kr(i['net_minor'], i['currency']):>16}  VAT {kr(i['vat_minor'], i['currency']):>14}  total {kr(i['total_minor'], i['currency']):>16}\")
print(f\"skipped subscribers: {len(d['skips'])}\")
for s in d['skips']:
    print(f\"  {s['library']} — {s['offer']}: {s['message']}\")" <<<"$run"

first=$(py "print(d['invoices'][0]['id'] if d['invoices'] else '')" <<<"$run")
if [ -z "$first" ]; then
	say "nothing left to bill for $next: admin discards the empty draft run $run_id"
	call DELETE "/invoice-runs/$run_id"
	echo "discarded"
else
	say "one invoice's lines, and how each amount was computed"
	call GET "/invoices/$first" | py "
print(d['buyer_name'], '— buyer reference:', d['buyer_reference'])
for l in d['lines']:
    print(f\"  {l['position']}. {l['description']}: {kr(l['amount_minor'], d['currency'])} (VAT {l['vat_category']})\")
    for s in l['steps']:
        print('       ', s['text'])"

	say "admin: approve run $run_id, then approve it again"
	numbers="[(i['number'], i['buyer_name'], i['total_minor']) for i in d['invoices']]"
	call POST "/invoice-runs/$run_id/approve" >/tmp/walkthrough-billing.approved
	call POST "/invoice-runs/$run_id/approve" >/tmp/walkthrough-billing.again
	py "print(d['run']['status'], 'by', d['run']['approved_by'], '— numbers', ', '.join(n for n, _, _ in $numbers))" </tmp/walkthrough-billing.approved
	a=$(py "print($numbers)" </tmp/walkthrough-billing.approved)
	b=$(py "print($numbers)" </tmp/walkthrough-billing.again)
	if [ "$a" = "$b" ]; then echo "approved again: the same numbers and totals"; else echo "approved again: DIFFERENT: $b"; exit 1; fi

	say "every invoice as EHF (PEPPOL BIS Billing 3.0) in $out"
	files=()
	for id in $(py "print(' '.join(str(i['id']) for i in d['invoices']))" </tmp/walkthrough-billing.approved); do
		name=$(curl -sS --fail-with-body -D - -o "$out/invoice-$id.xml" -H "Authorization: Bearer $ADMIN_TOKEN" "$SAMLA/api/v1/invoices/$id/ehf" |
			sed -n 's/^[Cc]ontent-[Dd]isposition:.*filename="\{0,1\}\([^";]*\)"\{0,1\}.*/\1/p' | tr -d '\r')
		mv "$out/invoice-$id.xml" "$out/$name"
		files+=("$out/$name")
	done
	echo "${#files[@]} files:"
	ls -l "${files[@]}" | awk 'NR <= 3 {print "  " $5 " bytes  " $NF} NR == 4 {print "  …"}'
	if command -v java >/dev/null 2>&1 && [ -f "${SAXON_JAR:-/usr/share/java/Saxon-HE.jar}" ]; then
		say "the EHF files against the official rules (scripts/validate-ehf.sh)"
		scripts/validate-ehf.sh "${files[@]}"
	else
		echo "(no Java or Saxon-HE: the files are not checked; see scripts/validate-ehf.sh)"
	fi
fi

economy() {
	call GET "/billing/economy?year=$1" | py "
if not d['agreements']:
    print(f\"(no agreement starts in {d['year']})\")
for e in d['agreements']:
    c = e['currency']
    known = 'vendor invoiced' if e['cost_known'] else 'vendor totals, no invoice yet'
    print(f\"{e['agreement']} ({e['vendor_invoices']} vendor invoices; {known})\")
    for label, k in [('collected from libraries', 'collected_minor'), ('currency markup', 'markup_minor'),
                     ('cost at the rates charged', 'expected_cost_minor'), ('real cost, as paid', 'real_cost_minor'),
                     ('deficit', 'deficit_minor'), ('deficit covered', 'deficit_covered_minor'),
                     ('currency result', 'currency_result_minor'), ('net', 'net_minor')]:
        print(f\"  {label:<27}{kr(e[k], c):>20}\")"
}
say "economy $year"
economy "$year"
say "economy $next"
economy "$next"
