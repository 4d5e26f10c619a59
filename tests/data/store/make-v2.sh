#!/bin/sh
# Writes v2.db: a history database as schema version 2 wrote it, by the netorigin of commit
# ca5e6b6 (the binary given as $1), from two sweeps of a simulated segment on 127.99.18.0/28
# that differ: the AR169 removed, the QFX5100 upgraded, the 3560 moved to .7 and to another
# sysLocation, a SmartAX added. The recordings are tests/data/snmprec's with sysLocation and
# sysContact written in (they are sanitised there). Kept to prove that later migrations apply
# to a real file of that version; not run by the tests (a later binary writes a later schema).
set -eu
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
rec=$here/../snmprec
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
export NETORIGIN_DATA_DIR=$work/data
port=27161
mkdir "$work/before" "$work/after"
put() { # recording, location, output
    sed -e "s/^1.3.6.1.2.1.1.6.0|4|.*/1.3.6.1.2.1.1.6.0|4|$2/" \
        -e 's/^1.3.6.1.2.1.1.4.0|4|.*/1.3.6.1.2.1.1.4.0|4|noc@example.net/' "$rec/$1.snmprec" >"$3"
}
put huawei/vrp_ar169sfp "TOR01 cabinet 2" "$work/before/ar169.snmprec"
put other/ios_c3560 "TOR01 rack 3" "$work/before/c3560.snmprec"
put other/junos_qfx5100 "MTL02 row 1" "$work/before/qfx5100.snmprec"
put huawei/vrp_ce12804-entity "MTL02 core room" "$work/before/ce12804.snmprec"
put other/ios_c3560 "MTL02 rack 9" "$work/after/c3560.snmprec"
sed 's/14.1X53-D40.8/15.1X53-D60.4/g' "$work/before/qfx5100.snmprec" >"$work/after/qfx5100.snmprec"
cp "$work/before/ce12804.snmprec" "$work/after/"
put huawei/smartax "TOR01 OLT room" "$work/after/smartax.snmprec"
db=$work/v2.db
sweep() {
    "$bin" sweep 127.99.18.0/28 --port $port --rate unlimited --timeout 300 --retries 0 \
        --db "$db" --format jsonl >/dev/null
}
"$bin" simulate --base 127.99.18.1 --port $port "$work/before/ar169.snmprec" \
    "$work/before/c3560.snmprec" "$work/before/qfx5100.snmprec" "$work/before/ce12804.snmprec" >/dev/null &
sleep 2
sweep
kill $!
"$bin" simulate --base 127.99.18.3 --port $port "$work/after/qfx5100.snmprec" "$work/after/ce12804.snmprec" >/dev/null &
"$bin" simulate --base 127.99.18.6 --port $port "$work/after/smartax.snmprec" "$work/after/c3560.snmprec" >/dev/null &
sleep 2
sweep
python3 -c "
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute('PRAGMA wal_checkpoint(TRUNCATE)'); c.execute('PRAGMA journal_mode=DELETE'); c.execute('VACUUM')
" "$db"
cp "$db" "$here/v2.db"
