#!/usr/bin/env bash
# mail-stack.sh start|stop|env — a throwaway mail server for tests.
#
#   eval "$(scripts/mail-stack.sh start)"   # prints only "export …" lines
#   go test ./internal/cases/inbox/ ./internal/mailstack/
#   scripts/mail-stack.sh stop              # stops it and deletes everything
#
# Postfix takes SMTP on 127.0.0.1:2525 and hands every message to Dovecot over
# LMTP (127.0.0.1:10024), which stores it in a Maildir; Dovecot serves the
# mailboxes over IMAP on 127.0.0.1:10143 (plain, STARTTLS offered) and IMAPS
# on 127.0.0.1:10993. Everything listens on loopback only and nothing is ever
# relayed: mail to any domain but the three below bounces.
#
#   domain            mailbox (IMAP user)  password
#   konsortium.test   desk                 deskpass       (the consortium)
#   leverandor.test   support              supportpass    (a vendor)
#   bibliotek.test    bibliotek            bibliotekpass  (a library)
#
# The browser tests (./e2e) run beside the package tests and get mailboxes of
# their own: e2edesk, e2esupport and e2ebibliotek (passwords: the name plus
# "pass"), at the same three domains.
#
# Dovecot looks users up by the local part only and strips "+detail", so
# desk+anything@konsortium.test lands in desk's INBOX.
#
# The TLS certificate is signed by a CA made with openssl at each start; the
# CA's PEM is at $SAMLA_TEST_MAIL_CA for tests to trust.
#
# Needs Debian's postfix, dovecot-imapd, dovecot-lmtpd and openssl, and must
# run as root (Postfix and Dovecot drop privileges to their own users).
# State (configuration, logs, mail, certificates) lives in $SAMLA_MAIL_STATE,
# by default /tmp/samla-mail. start stops an earlier stack first; env prints
# the exports of a running stack. Only the export lines go to stdout;
# everything else goes to stderr.
set -euo pipefail

STATE=${SAMLA_MAIL_STATE:-/tmp/samla-mail}
MARKER=.samla-mail-stack
SMTP_PORT=2525
LMTP_PORT=10024
IMAP_PORT=10143
IMAPS_PORT=10993
DOMAINS="konsortium.test leverandor.test bibliotek.test"

say() { echo "mail-stack: $*" >&2; }
die() {
	say "$*"
	exit 1
}

usage() {
	echo "usage: $0 start|stop|env" >&2
	exit 2
}

# port_open succeeds when something accepts connections on 127.0.0.1:$1.
port_open() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# ours succeeds when $STATE looks like a directory this script created.
ours() {
	[ -d "$STATE" ] && [ ! -L "$STATE" ] && [ -f "$STATE/$MARKER" ]
}

print_env() {
	echo "export SAMLA_TEST_MAIL_SMTP=127.0.0.1:$SMTP_PORT"
	echo "export SAMLA_TEST_MAIL_IMAP=127.0.0.1:$IMAP_PORT"
	echo "export SAMLA_TEST_MAIL_IMAPS=127.0.0.1:$IMAPS_PORT"
	echo "export SAMLA_TEST_MAIL_CA=$STATE/tls/ca.pem"
}

show_logs() {
	local f
	for f in "$STATE/dovecot.log" "$STATE/postfix/postfix.log" "$STATE/postfix-check.log"; do
		if [ -s "$f" ]; then
			say "--- last lines of $f"
			tail -n 30 "$f" >&2 || true
		fi
	done
}

stop() {
	if [ ! -e "$STATE" ]; then
		say "not running (no $STATE)"
		return 0
	fi
	ours || die "$STATE exists but was not made by this script (no $MARKER); not touching it"
	if [ -f "$STATE/postfix/main.cf" ]; then
		postfix -c "$STATE/postfix" stop >/dev/null 2>&1 || true
	fi
	if [ -f "$STATE/dovecot.conf" ]; then
		dovecot -c "$STATE/dovecot.conf" stop >/dev/null 2>&1 || true
	fi
	# Both stop asynchronously; wait so that the next start can bind the ports.
	local i p busy
	for ((i = 0; i < 50; i++)); do
		busy=""
		for p in $SMTP_PORT $LMTP_PORT $IMAP_PORT $IMAPS_PORT; do
			port_open "$p" && busy=$p
		done
		[ -z "$busy" ] && break
		sleep 0.2
	done
	[ -z "$busy" ] || say "warning: port $busy still answers after stop"
	rm -rf -- "$STATE"
	say "stopped and removed $STATE"
}

make_certs() {
	local d=$STATE/tls
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=Samla test mail CA" \
		-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
		-keyout "$d/ca.key" -out "$d/ca.pem" >/dev/null 2>&1 || die "openssl could not make the CA"
	openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
		-keyout "$d/key.pem" -out "$d/cert.csr" >/dev/null 2>&1 || die "openssl could not make the key"
	printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
		"extendedKeyUsage=serverAuth" "subjectAltName=IP:127.0.0.1,DNS:localhost" >"$d/ext.cnf"
	openssl x509 -req -in "$d/cert.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 7 \
		-extfile "$d/ext.cnf" -out "$d/cert.pem" >/dev/null 2>&1 || die "openssl could not sign the certificate"
	chmod 644 "$d/ca.pem" "$d/cert.pem"
	chmod 600 "$d/ca.key" "$d/key.pem"
}

write_dovecot() {
	cat >"$STATE/users" <<-U
		desk:{PLAIN}deskpass
		support:{PLAIN}supportpass
		bibliotek:{PLAIN}bibliotekpass
		e2edesk:{PLAIN}e2edeskpass
		e2esupport:{PLAIN}e2esupportpass
		e2ebibliotek:{PLAIN}e2ebibliotekpass
	U
	chgrp dovecot "$STATE/users"
	chmod 640 "$STATE/users"
	cat >"$STATE/dovecot.conf" <<-D
		base_dir = $STATE/run
		state_dir = $STATE/state
		log_path = $STATE/dovecot.log
		info_log_path = $STATE/dovecot.log
		ssl = yes
		ssl_cert = <$STATE/tls/cert.pem
		ssl_key = <$STATE/tls/key.pem
		disable_plaintext_auth = no
		auth_mechanisms = plain login
		listen = 127.0.0.1
		protocols = imap lmtp
		first_valid_uid = 8
		first_valid_gid = 8
		mail_location = maildir:~/Maildir
		recipient_delimiter = +
		lmtp_save_to_detail_mailbox = no
		postmaster_address = postmaster@konsortium.test
		hostname = imap.konsortium.test
		passdb {
		  driver = passwd-file
		  args = scheme=PLAIN username_format=%n $STATE/users
		}
		userdb {
		  driver = static
		  args = uid=mail gid=mail home=$STATE/mail/%n
		}
		namespace inbox {
		  inbox = yes
		  separator = /
		}
		service imap-login {
		  inet_listener imap {
		    address = 127.0.0.1
		    port = $IMAP_PORT
		  }
		  inet_listener imaps {
		    address = 127.0.0.1
		    port = $IMAPS_PORT
		    ssl = yes
		  }
		}
		service lmtp {
		  inet_listener lmtp {
		    address = 127.0.0.1
		    port = $LMTP_PORT
		  }
		}
	D
}

write_postfix() {
	local pf=$STATE/postfix
	cat >"$pf/main.cf" <<-P
		compatibility_level = 3.6
		queue_directory = $pf/queue
		data_directory = $pf/data
		command_directory = /usr/sbin
		daemon_directory = /usr/lib/postfix/sbin
		shlib_directory = /usr/lib/postfix
		mail_owner = postfix
		setgid_group = postdrop
		myhostname = mx.konsortium.test
		mydomain = konsortium.test
		myorigin = konsortium.test
		inet_interfaces = loopback-only
		inet_protocols = ipv4
		mydestination =
		mynetworks = 127.0.0.0/8
		virtual_mailbox_domains = ${DOMAINS// /, }
		virtual_transport = lmtp:inet:127.0.0.1:$LMTP_PORT
		recipient_delimiter = +
		relayhost =
		default_transport = error:outbound mail disabled in tests
		smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
		smtpd_banner = mx.konsortium.test ESMTP samla test
		message_size_limit = 52428800
		maillog_file = $pf/postfix.log
		maillog_file_prefixes = $pf
		alias_maps =
		alias_database =
	P
	cat >"$pf/master.cf" <<-M
		127.0.0.1:$SMTP_PORT inet n - n - - smtpd
		pickup    unix  n       -       n       60      1       pickup
		cleanup   unix  n       -       n       -       0       cleanup
		qmgr      unix  n       -       n       300     1       qmgr
		rewrite   unix  -       -       n       -       -       trivial-rewrite
		bounce    unix  -       -       n       -       0       bounce
		defer     unix  -       -       n       -       0       bounce
		trace     unix  -       -       n       -       0       bounce
		verify    unix  -       -       n       -       1       verify
		flush     unix  n       -       n       1000?   0       flush
		proxymap  unix  -       -       n       -       -       proxymap
		smtp      unix  -       -       n       -       -       smtp
		showq     unix  n       -       n       -       -       showq
		error     unix  -       -       n       -       -       error
		retry     unix  -       -       n       -       -       error
		discard   unix  -       -       n       -       -       discard
		lmtp      unix  -       -       n       -       -       lmtp
		anvil     unix  -       -       n       -       1       anvil
		scache    unix  -       -       n       -       1       scache
		postlog   unix-dgram n  -       n       -       1       postlogd
	M
}

# start_failed shows the logs and cleans up after a start that did not finish.
start_failed() {
	if [ "$1" -ne 0 ]; then
		show_logs
		stop || true
	fi
}

start() {
	[ "$(id -u)" -eq 0 ] || die "must run as root (Postfix and Dovecot start as root and drop privileges); try: sudo $0 start"
	local cmd
	for cmd in postfix dovecot openssl; do
		command -v "$cmd" >/dev/null || die "$cmd not found (Debian: apt-get install postfix dovecot-imapd dovecot-lmtpd openssl)"
	done
	[ -x /usr/lib/dovecot/lmtp ] || die "Dovecot's LMTP server is missing (Debian: apt-get install dovecot-lmtpd)"

	if [ -e "$STATE" ]; then
		say "a stack from an earlier start is in $STATE; stopping it first"
		stop
	fi
	local p
	for p in $SMTP_PORT $LMTP_PORT $IMAP_PORT $IMAPS_PORT; do
		port_open "$p" && die "127.0.0.1:$p is already in use by another program"
	done

	mkdir -p "$STATE"
	chmod 755 "$STATE"
	touch "$STATE/$MARKER"
	trap 'start_failed $?' EXIT
	mkdir -p "$STATE/run" "$STATE/state" "$STATE/mail" "$STATE/postfix/queue" "$STATE/postfix/data"
	chown mail:mail "$STATE/mail"
	chown postfix:postfix "$STATE/postfix/data"

	make_certs
	write_dovecot
	write_postfix

	dovecot -c "$STATE/dovecot.conf" || die "dovecot did not start"
	postfix -c "$STATE/postfix" check >"$STATE/postfix-check.log" 2>&1 || true
	postfix -c "$STATE/postfix" start >>"$STATE/postfix-check.log" 2>&1 || die "postfix did not start"

	local i missing
	for ((i = 0; i < 100; i++)); do
		missing=""
		for p in $SMTP_PORT $LMTP_PORT $IMAP_PORT $IMAPS_PORT; do
			port_open "$p" || missing="$missing $p"
		done
		[ -z "$missing" ] && break
		sleep 0.1
	done
	[ -z "$missing" ] || die "nothing answers on 127.0.0.1 port(s)$missing after 10 s"
	trap - EXIT
	say "Postfix on 127.0.0.1:$SMTP_PORT, Dovecot IMAP on :$IMAP_PORT and IMAPS on :$IMAPS_PORT, state in $STATE (stop: $0 stop)"
	print_env
}

env_cmd() {
	if ours && port_open $SMTP_PORT && port_open $IMAP_PORT && port_open $IMAPS_PORT; then
		print_env
	else
		say "not running (start: $0 start)"
		return 1
	fi
}

[ $# -eq 1 ] || usage
case "$1" in
start) start ;;
stop) stop ;;
env) env_cmd ;;
*) usage ;;
esac
