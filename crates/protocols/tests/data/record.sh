#!/bin/sh
# Makes the recordings of this directory again: starts each server on a private port,
# relays its clients through record.py and keeps what the clients printed (*.client.txt).
# Needs root (the servers run as their own users), Debian's postgresql-15, mariadb-server,
# redis-server, redis-tools, dnsmasq, dnsutils, and MySQL Connector/Python in a venv
# (python3 -m venv $W/venv && $W/venv/bin/pip install mysql-connector-python); for gRPC and
# HTTP/2, curl and the venv .ci/run makes (.ci/venv-grpc: grpcio, grpcio-tools, hypercorn,
# httpx[http2]). `record.sh grpc http2` makes only those recordings.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
W=${W:-/tmp/protorec}
mkdir -p "$W"
cd "$HERE"
rec() { python3 record.py "$@" & echo $! > "$W/rec.pid"; sleep 1; }
unrec() { sleep 0.5; kill "$(cat "$W/rec.pid")"; }
ONLY=" ${*:-redis postgres mysql dns grpc http2} "
want() { case "$ONLY" in *" $1 "*) return 0 ;; esac; return 1; }

if want redis; then
# Redis 7: redis-benchmark (SET/GET, then pipelined INCR/LPUSH), redis-cli with two
# errors, a --pipe batch of inline commands with one error, and a RESP3 session.
rm -f redis.rec
redis-server --port 16379 --save '' --appendonly no --daemonize yes --logfile "$W/redis.log" --dir "$W"
sleep 0.5
rec tcp 16380 16379 redis.rec
redis-benchmark -p 16380 -c 2 -n 200 -t set,get -q > redis.client.txt 2>&1
redis-benchmark -p 16380 -c 1 -n 100 -P 10 -t incr,lpush -q >> redis.client.txt 2>&1
{ redis-cli -p 16380 SET greeting hello; redis-cli -p 16380 INCR greeting; redis-cli -p 16380 NOSUCHCMD a
  redis-cli -p 16380 GET greeting; printf 'SET k1 v1\nGET k1\nINCR k1\nDEL k1\n' | redis-cli -p 16380 --pipe
  redis-cli -3 -p 16380 HGETALL nosuchhash; } >> redis.client.txt 2>&1
unrec
fi

if want postgres; then
# PostgreSQL 15: pgbench in its three query modes, then psql with three errors.
rm -f postgres.rec
mkdir -p "$W/pg" && chown postgres "$W/pg"
runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D "$W/pg/data" -A trust -U postgres > /dev/null
runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$W/pg/data" -o "-p 15432 -k /tmp -c listen_addresses=127.0.0.1" -l "$W/pg/log" start
pgbench -h 127.0.0.1 -p 15432 -U postgres -i -s 1 postgres > /dev/null 2>&1
rec tcp 15433 15432 postgres.rec
for mode in "-t 30 -M simple" "-t 20 -M extended" "-t 20 -M prepared"; do
  pgbench -h 127.0.0.1 -p 15433 -U postgres -n -c 1 $mode postgres
done > postgres.client.txt 2>&1
psql "host=127.0.0.1 port=15433 user=postgres sslmode=disable" -f postgres.errors.sql >> postgres.client.txt 2>&1 || true
unrec
fi

if want mysql; then
# MariaDB 10.11: the mariadb client (text protocol, two errors) and Connector/Python
# with prepared statements (binary protocol, one duplicate-key error).
rm -f mysql.rec
mkdir -p "$W/my" && chown mysql "$W/my"
mariadb-install-db --user=mysql --datadir="$W/my/data" --auth-root-authentication-method=normal > /dev/null
runuser -u mysql -- mariadbd --datadir="$W/my/data" --port=13306 --bind-address=127.0.0.1 --socket="$W/my/sock" > "$W/my/log" 2>&1 &
sleep 4
mariadb -S "$W/my/sock" -u root -e "DROP USER IF EXISTS ''@'localhost'; DROP USER IF EXISTS ''@'$(hostname)';
  CREATE USER 'k'@'%' IDENTIFIED BY 'k'; GRANT ALL ON *.* TO 'k'@'%'; CREATE DATABASE shop;
  CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(40)); INSERT INTO shop.items VALUES (1,'apple'),(2,'pear'),(3,'plum');"
rec tcp 13307 13306 mysql.rec
mariadb -h 127.0.0.1 -P 13307 -u k -pk --skip-ssl --force -vvv < mysql.client.sql > mysql.client.txt 2>&1 || true
"$W/venv/bin/python" mysql_prepared.py 13307 >> mysql.client.txt 2>&1
unrec
fi

if want dns; then
# DNS: dnsmasq answering for kinsight.test only; dig over UDP (ten queries, three
# NXDOMAIN) and over TCP (five queries, one NXDOMAIN, two on one connection).
rm -f dns_udp.rec dns_tcp.rec
dnsmasq --keep-in-foreground --no-resolv --no-hosts --port=15353 --listen-address=127.0.0.1 --bind-interfaces \
  --local=/kinsight.test/ --host-record=www.kinsight.test,10.1.2.3 --host-record=db.kinsight.test,10.1.2.4,fd00::4 &
sleep 1
rec udp 15354 15353 dns_udp.rec
{ for i in 1 2 3 4 5; do dig @127.0.0.1 -p 15354 +tries=1 www.kinsight.test A; done
  for i in 1 2 3; do dig @127.0.0.1 -p 15354 +tries=1 nosuch$i.kinsight.test A; done
  dig @127.0.0.1 -p 15354 +tries=1 db.kinsight.test AAAA; dig @127.0.0.1 -p 15354 +tries=1 db.kinsight.test A; } > dns_udp.client.txt 2>&1
unrec
rec tcp 15354 15353 dns_tcp.rec
{ for i in 1 2; do dig @127.0.0.1 -p 15354 +tcp +tries=1 www.kinsight.test A; done
  dig @127.0.0.1 -p 15354 +tcp +tries=1 gone.kinsight.test A
  dig @127.0.0.1 -p 15354 +tcp +keepopen +tries=1 db.kinsight.test A db.kinsight.test AAAA; } > dns_tcp.client.txt 2>&1
unrec
fi

# gRPC: grpcio's server and client of demo.proto (grpc_demo.py): unary calls, sequential and
# concurrent, two NOT_FOUND, three server streams, a client stream and a bidirectional one.
V=${GRPC_VENV:-$HERE/../../../../.ci/venv-grpc}/bin
if want grpc; then
rm -f grpc.rec
"$V/python" grpc_demo.py serve 17051 > "$W/grpc.log" 2>&1 & echo $! > "$W/grpc.pid"
sleep 3
rec tcp 17052 17051 grpc.rec
"$V/python" grpc_demo.py client 17052 20 > grpc.client.txt 2>&1
unrec
kill "$(cat "$W/grpc.pid")"
fi

# Plain HTTP/2: hypercorn serving h2_app.py; httpx with prior knowledge (sequential and
# concurrent GETs, two 404 and one 503), curl upgrading with h2c, curl with prior knowledge.
if want http2; then
rm -f http2.rec
PYTHONPATH="$HERE" "$V/hypercorn" h2_app:app --bind 127.0.0.1:17080 > "$W/hypercorn.log" 2>&1 & echo $! > "$W/hc.pid"
sleep 2
rec tcp 17081 17080 http2.rec
"$V/python" h2_client.py 17081 > http2.client.txt 2>&1
curl -s -o /dev/null -w 'status %{http_code} /items/9 h2c-upgrade %{http_version}\n' --http2 http://127.0.0.1:17081/items/9 >> http2.client.txt
curl -s -o /dev/null -w 'status %{http_code} /nope prior-knowledge %{http_version}\n' --http2-prior-knowledge http://127.0.0.1:17081/nope >> http2.client.txt
unrec
kill "$(cat "$W/hc.pid")"
fi
