#!/usr/bin/env bash
# validate-ehf.sh [-w] [FILE.xml...] — check EHF / PEPPOL BIS Billing 3.0 files
# with the official rules, offline.
#
#   scripts/validate-ehf.sh              writes every kind of document Samla
#                                        sends (the ehf package's test documents)
#                                        to $SAMLA_EHF_OUT (default: a new
#                                        directory under /tmp, kept) and checks them
#   scripts/validate-ehf.sh FILE.xml...  checks the given files
#   -w                                   also lists warnings
#
# Each file is checked against the UBL 2.1 schemas (needs a JDK), the CEN
# EN 16931 rules and the PEPPOL BIS Billing 3.0 rules (Saxon-HE), all kept in
# internal/billing/ehf/testdata/. One line per file, OK or FAIL, then every
# fatal failure (rule set, rule id, where, rule text).
# Exit 0: no fatal failure. 1: a fatal failure or a schema error. 2: usage or
# setup error (Java or Saxon missing: apt-get install default-jdk-headless
# libsaxonhe-java). Saxon jar: $SAXON_JAR, else /usr/share/java/Saxon-HE.jar.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
td=internal/billing/ehf/testdata

warn=false
if [ "${1:-}" = "-w" ]; then warn=true; shift; fi
case "${1:-}" in -h | --help) sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//p}' "$0"; exit 0 ;; esac

jar=${SAXON_JAR:-/usr/share/java/Saxon-HE.jar}
if ! command -v java >/dev/null 2>&1 || [ ! -f "$jar" ]; then
	echo "validate-ehf: needs Java and Saxon-HE: apt-get install default-jdk-headless libsaxonhe-java" >&2
	echo "  (or set SAXON_JAR=/path/to/saxon-he.jar)" >&2
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ $# -eq 0 ]; then
	out=${SAMLA_EHF_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/samla-ehf.XXXXXX")}
	echo "writing the test documents to $out" >&2
	SAMLA_EHF_OUT=$out go test -count=1 -run 'TestOfficialRules$' ./internal/billing/ehf/ >&2
	set -- "$out"/*.xml
fi

mkdir "$tmp/in"
: >"$tmp/names.txt"
i=0
for f in "$@"; do
	[ -f "$f" ] || { echo "validate-ehf: no such file: $f" >&2; exit 2; }
	i=$((i + 1))
	cp "$f" "$tmp/in/$i.xml"
	printf '%s\n' "$f" >>"$tmp/names.txt"
done

# One Saxon run per rule set over all files: each stylesheet is compiled once.
rules="EN16931-UBL-validation PEPPOL-EN16931-UBL"
pids=()
for r in $rules; do
	mkdir "$tmp/$r"
	java -XX:TieredStopAtLevel=1 -cp "$jar" net.sf.saxon.Transform -s:"$tmp/in" -xsl:"$PWD/$td/xslt/$r.xslt" -o:"$tmp/$r" 2>"$tmp/$r.log" &
	pids+=($!)
done

# The schema check, meanwhile (a JRE without jdk.compiler cannot run it).
schema_failed=false
if java --list-modules 2>/dev/null | grep -q '^jdk.compiler'; then
	files=()
	for ((n = 1; n <= i; n++)); do files+=("$tmp/in/$n.xml"); done
	java -XX:TieredStopAtLevel=1 "$td/XsdCheck.java" "$td/xsd" "${files[@]}" >"$tmp/xsd.txt"
else
	echo "validate-ehf: no JDK (jdk.compiler): UBL schema check skipped" >&2
	: >"$tmp/xsd.txt"
fi
for p in "${pids[@]}"; do wait "$p" || true; done

cat >"$tmp/report.xslt" <<'XSLT'
<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:svrl="http://purl.oclc.org/dsdl/svrl" xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xsl:output method="text"/>
  <xsl:param name="base" as="xs:string"/>
  <xsl:param name="rules" as="xs:string"/>
  <xsl:param name="warn" as="xs:string"/>
  <xsl:template name="main">
    <xsl:variable name="xsd" select="unparsed-text-lines($base || '/xsd.txt')"/>
    <xsl:for-each select="unparsed-text-lines($base || '/names.txt')">
      <xsl:variable name="n" select="position()"/>
      <xsl:variable name="schema" select="$xsd[starts-with(., 'FAIL ' || $n || '.xml:')]"/>
      <xsl:variable name="runs" as="element()*">
        <xsl:for-each select="tokenize($rules, ' ')">
          <xsl:variable name="s" select="$base || '/' || . || '/' || $n || '.xml'"/>
          <run name="{if (starts-with(., 'PEPPOL')) then 'PEPPOL' else 'CEN'}" ok="{doc-available($s)}">
            <xsl:if test="doc-available($s)"><xsl:copy-of select="doc($s)//svrl:failed-assert"/></xsl:if>
          </run>
        </xsl:for-each>
      </xsl:variable>
      <xsl:variable name="missing" select="$runs[@ok = 'false']"/>
      <xsl:variable name="fatal" select="$runs/svrl:failed-assert[@flag = 'fatal']"/>
      <xsl:variable name="other" select="$runs/svrl:failed-assert[not(@flag = 'fatal')]"/>
      <xsl:value-of select="(if ($fatal or $missing or $schema) then 'FAIL ' else 'OK   ') || . || ': '
          || count($fatal) || ' fatal, ' || count($other) || ' warning(s)'
          || (if ($missing) then ' -- a rule set did not run (not a UBL file?), see saxon: lines' else '')
          || '&#10;'"/>
      <xsl:for-each select="$schema">
        <xsl:value-of select="'  schema UBL-2.1 ' || substring-after(., ': ') || '&#10;'"/>
      </xsl:for-each>
      <xsl:for-each select="$fatal, $other[$warn = 'true']">
        <xsl:value-of select="'  ' || @flag || ' ' || ../@name || ' ' || @id || ' at '
            || replace(replace(replace(@location, '\[namespace-uri\(\)=''[^'']*''\]', ''), '\*:', ''), '\[1\]', '')
            || '&#10;    ' || normalize-space(svrl:text) || '&#10;'"/>
      </xsl:for-each>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
XSLT
report=$(java -cp "$jar" net.sf.saxon.Transform -it:main -xsl:"$tmp/report.xslt" \
	base="file://$tmp" rules="$rules" warn="$warn") || {
	cat "$tmp"/*.log >&2
	echo "validate-ehf: report step failed" >&2
	exit 2
}
msgs=$(grep -h -v -e '^$' -e 'transformation.* failed' "$tmp"/*.log || true)
if [ -n "$msgs" ]; then
	echo "saxon messages (N.xml = the N-th file):" >&2
	printf '%s\n' "$msgs" | sed 's/^/saxon: /' >&2
fi
printf '%s\n' "$report"
if grep -q '^FAIL ' <<<"$report"; then exit 1; fi
