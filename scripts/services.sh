#!/bin/bash
# services.sh: start the services the tests use when they are not running,
# on loopback only, and print the environment that points the tests at them:
#
#   eval "$(scripts/services.sh)"
#
# PostgreSQL: the Debian cluster (pg_ctlcluster), a role and a database
# named geowarden_test. NATS: nats-server with JetStream, its store under
# ${GEOWARDEN_SERVICES_DIR:-/var/tmp/geowarden-services}.
set -eu

dir=${GEOWARDEN_SERVICES_DIR:-/var/tmp/geowarden-services}
mkdir -p "$dir"
log() { echo "services: $*" >&2; }

# PostgreSQL.
pg_port=5432
if command -v pg_lsclusters >/dev/null 2>&1; then
	cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2" "$3" "$4}')
	if [ -z "$cluster" ]; then
		ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
		log "creating PostgreSQL $ver cluster"
		pg_createcluster "$ver" main >/dev/null
		cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2" "$3" "$4}')
	fi
	set -- $cluster
	ver=$1 name=$2 pg_port=$3 status=$4
	if [ "$status" != online ]; then
		log "starting PostgreSQL $ver/$name on port $pg_port"
		pg_ctlcluster "$ver" "$name" start
	fi
	i=0
	until su postgres -c "psql -p $pg_port -qAtc 'select 1'" >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -gt 60 ] && { log "PostgreSQL does not answer"; exit 1; }
		sleep 0.5
	done
	su postgres -c "psql -p $pg_port -qAt" >/dev/null <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'geowarden') THEN
    CREATE ROLE geowarden LOGIN PASSWORD 'geowarden' CREATEDB;
  END IF;
END $$;
SQL
	if ! su postgres -c "psql -p $pg_port -qAtc \"select 1 from pg_database where datname='geowarden_test'\"" | grep -q 1; then
		su postgres -c "createdb -p $pg_port -O geowarden geowarden_test"
	fi
	echo "export GEOWARDEN_TEST_POSTGRES='postgres://geowarden:geowarden@127.0.0.1:$pg_port/geowarden_test?sslmode=disable'"
else
	log "PostgreSQL is not installed"
fi

# NATS with JetStream.
if command -v nats-server >/dev/null 2>&1; then
	if ! (exec 3<>/dev/tcp/127.0.0.1/4222) 2>/dev/null; then
		log "starting nats-server with JetStream on 127.0.0.1:4222"
		nohup nats-server -a 127.0.0.1 -p 4222 -js -sd "$dir/nats" >"$dir/nats.log" 2>&1 &
		i=0
		until (exec 3<>/dev/tcp/127.0.0.1/4222) 2>/dev/null; do
			i=$((i + 1)); [ $i -gt 60 ] && { log "nats-server does not answer; see $dir/nats.log"; exit 1; }
			sleep 0.5
		done
	fi
	echo "export GEOWARDEN_TEST_NATS='nats://127.0.0.1:4222'"
else
	log "nats-server is not installed"
fi
