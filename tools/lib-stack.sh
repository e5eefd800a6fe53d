# shellcheck shell=bash disable=SC2034
# lib-stack.sh - bash helpers shared by tools/stack and tools/pki. Source it; it defines
# functions only (prefix ct_) and a few variables (CT_REPO, CT_PROG).
#
# Process rule: we only ever signal PIDs read from the stack's own pid files, after checking
# that the process is still the program that wrote the file (a stale pid file whose PID was
# reused by something else is ignored, never killed).

CT_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CT_PROG=${CT_PROG:-$(basename "$0")}
PATH=$PATH:/usr/sbin:/sbin

ct_say() { printf '%s: %s\n' "$CT_PROG" "$*" >&2; }
ct_die() { printf '%s: error: %s\n' "$CT_PROG" "$*" >&2; exit 1; }

# ct_abs DIR -> absolute path (the directory need not exist). Refuses characters that would need
# quoting in nginx or my.cnf.
ct_abs() {
    local d=$1
    [ -n "$d" ] || ct_die "no directory given"
    case $d in /*) ;; *) d=$PWD/$d ;; esac
    # normalise /./ and trailing slashes (no symlink resolution: the directory may not exist)
    d=$(printf '%s' "$d" | sed -e 's#/\./#/#g' -e 's#/\.$##' -e 's#//*#/#g' -e 's#\(.\)/$#\1#')
    [[ $d =~ ^[A-Za-z0-9._/+-]+$ ]] || ct_die "stack directory '$d': use only letters, digits and ._/+-"
    printf '%s\n' "$d"
}

# ct_pid PIDFILE NAME -> prints the PID and succeeds when PIDFILE names a live process whose
# executable's name starts with NAME (mariadbd, nginx, comptoir-secure).
ct_pid() {
    local f=$1 name=$2 pid exe
    [ -s "$f" ] || return 1
    read -r pid < "$f" || return 1
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
    exe=${exe##*/}
    [[ $exe == "$name"* ]] || return 1
    printf '%s\n' "$pid"
}

# ct_stop PIDFILE NAME LABEL: TERM, wait up to 20 s, then KILL. When the process leads its own
# process group (we start pools and MariaDB with setsid; nginx makes itself a session leader),
# the KILL goes to the whole group so no forked worker is left behind.
ct_stop() {
    local f=$1 name=$2 label=$3 pid pgid i
    if ! pid=$(ct_pid "$f" "$name"); then
        rm -f "$f"
        return 0
    fi
    pgid=$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 200; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        ct_say "$label (pid $pid) did not stop in 20 s: KILL"
        if [ "$pgid" = "$pid" ]; then kill -KILL -- "-$pid" 2>/dev/null; else kill -KILL "$pid" 2>/dev/null; fi
    fi
    # workers of a group leader that died first (they exit on their own when it stops cleanly)
    if [ "$pgid" = "$pid" ]; then
        for ((i = 0; i < 50; i++)); do
            pgrep -g "$pid" >/dev/null 2>&1 || break
            sleep 0.1
        done
        pgrep -g "$pid" >/dev/null 2>&1 && kill -KILL -- "-$pid" 2>/dev/null
    fi
    rm -f "$f"
    ct_say "stopped $label (pid $pid)"
}

# ct_nginx_conf_test STACK: nginx -t on the stack's rendered configuration.
ct_nginx_conf_test() {
    local s=$1
    nginx -t -q -p "$s/nginx/" -c "$s/nginx/nginx.conf" -e "$s/log/nginx-error.log"
}

# ct_nginx_reload STACK: test the configuration, HUP the stack's nginx master, and return once
# the reload has taken effect: new workers run and no old worker still accepts connections
# (old workers finishing their requests show "worker process is shutting down").
# Returns 0 without doing anything when nginx is not running.
ct_nginx_reload() {
    local s=$1 pid old c i cmd newok oldacc
    pid=$(ct_pid "$s/run/nginx.pid" nginx) || { ct_say "nginx is not running: nothing to reload"; return 0; }
    ct_nginx_conf_test "$s" || ct_die "nginx configuration test failed: not reloading"
    old=" $(ps -o pid= --ppid "$pid" | tr -s ' \n' ' ') "
    kill -HUP "$pid"
    for ((i = 0; i < 150; i++)); do
        sleep 0.1
        newok=0 oldacc=0
        for c in $(ps -o pid= --ppid "$pid"); do
            # the process title; NULs pad it. A worker may exit while we look: not an error.
            cmd=$({ tr -d '\0' < "/proc/$c/cmdline"; } 2>/dev/null) || cmd=
            [ "$cmd" = "nginx: worker process" ] || continue
            if [[ $old == *" $c "* ]]; then oldacc=1; else newok=1; fi
        done
        if [ "$newok" = 1 ] && [ "$oldacc" = 0 ]; then
            return 0
        fi
    done
    ct_die "nginx (pid $pid) did not finish reloading in 15 s; see $s/log/nginx-error.log"
}

# ---- database ---------------------------------------------------------------------------------

# ct_sql_str TEXT -> an SQL expression for TEXT that needs no escaping (hex literal).
ct_sql_str() {
    local hex
    hex=$(printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n')
    printf "CONVERT(X'%s' USING utf8mb4)" "$hex"
}

# ct_db STACK [mariadb args...]: the stack's database as MariaDB root, over the unix socket.
ct_db() {
    local s=$1; shift
    [ -f "$s/conf/client.cnf" ] || ct_die "$s/conf/client.cnf missing: is the stack started (tools/stack start $s)?"
    mariadb --defaults-file="$s/conf/client.cnf" --batch --skip-column-names "$@" comptoir
}

# ---- certificates -----------------------------------------------------------------------------

# ct_cert_field CERT what -> cn | dn | serial | fp256 | not_after | not_after_epoch
#   dn: RFC 2253, exactly as nginx prints $ssl_client_s_dn
#   serial: upper-case hex, exactly as nginx prints $ssl_client_serial
#   fp256: lower-case hex SHA-256 of the DER certificate, no colons
ct_cert_field() {
    local c=$1 v
    case $2 in
    cn) openssl x509 -in "$c" -noout -subject -nameopt multiline,utf8,-esc_msb |
            sed -n 's/^ *commonName *= *//p' | head -n 1 ;;
    dn) v=$(openssl x509 -in "$c" -noout -subject -nameopt RFC2253) && printf '%s\n' "${v#subject=}" ;;
    serial) v=$(openssl x509 -in "$c" -noout -serial) && printf '%s\n' "${v#serial=}" ;;
    fp256) v=$(openssl x509 -in "$c" -noout -fingerprint -sha256) && v=${v#*=} &&
            printf '%s\n' "${v//:/}" | tr 'A-F' 'a-f' ;;
    not_after) v=$(openssl x509 -in "$c" -noout -enddate) && date -u -d "${v#notAfter=}" '+%F %T' ;;
    not_after_epoch) v=$(openssl x509 -in "$c" -noout -enddate) && date -u -d "${v#notAfter=}" '+%s' ;;
    *) return 1 ;;
    esac
}

# ct_register_partner_cert STACK CERT NAME [partner|processor]: partner row (created when NAME is
# new, public_id UUID()) and partner_cert row for CERT; with "processor", the same in processor
# and processor_cert (the card processor, cards server). Idempotent: a certificate already
# registered is left as it is (refused if it belongs to another). Prints "public_id fingerprint".
ct_register_partner_cert() {
    local s=$1 c=$2 name=$3 t=${4:-partner} cn dn serial fp na out
    case $t in partner | processor) ;; *) ct_die "ct_register_partner_cert: bad kind '$t'" ;; esac
    cn=$(ct_cert_field "$c" cn) && dn=$(ct_cert_field "$c" dn) && serial=$(ct_cert_field "$c" serial) &&
        fp=$(ct_cert_field "$c" fp256) && na=$(ct_cert_field "$c" not_after) || ct_die "cannot read certificate $c"
    [ -n "$cn" ] || ct_die "$c has no CN"
    [ ${#fp} = 64 ] || ct_die "bad fingerprint for $c"
    out=$(ct_db "$s" <<SQL
START TRANSACTION;
INSERT INTO $t (public_id, name) VALUES (UUID(), $(ct_sql_str "$name"))
    ON DUPLICATE KEY UPDATE id = id;
INSERT INTO ${t}_cert (${t}_id, cn, subject_dn, serial, fingerprint_sha256, not_after)
    SELECT id, $(ct_sql_str "$cn"), $(ct_sql_str "$dn"), '$serial', '$fp', '$na'
    FROM $t WHERE name = $(ct_sql_str "$name")
    ON DUPLICATE KEY UPDATE ${t}_cert.id = ${t}_cert.id;
SELECT p.name = $(ct_sql_str "$name"), p.public_id FROM ${t}_cert pc JOIN $t p ON p.id = pc.${t}_id
    WHERE pc.fingerprint_sha256 = '$fp';
COMMIT;
SQL
    ) || ct_die "database registration of $c failed"
    case $out in
    1$'\t'*) printf '%s %s\n' "${out#*$'\t'}" "$fp" ;;
    *) ct_die "certificate $fp is already registered to another $t" ;;
    esac
}
