#!/usr/bin/env bash
# compare-outputs.sh: check that a change leaves geowarden's behaviour unchanged.
#
#   scripts/compare-outputs.sh [-k] [-q] [BEFORE [AFTER [SHARED]]]
#
# Builds geowarden and geowarden-scenario at two revisions (BEFORE, default
# 5e3c248; AFTER, default the working tree as it is, uncommitted changes
# included; WORKTREE names it explicitly) from clean `git archive` exports in a
# temporary folder, runs both builds over the same inputs and compares what they
# write: standard output, standard error, exit code and every file written.
#
#   scan --format table|json|ndjson|sarif|html     over examples/
#   detect --format table|json|ndjson|html         over examples/ and a scenario
#   sanitize --findings --report                   of each example file, of
#                                                  examples/ and of the scenario
#   scan, sanitize and detect of standard input    an example file each
#   scan --format ndjson, sanitize --findings      of each acceptance case of
#        --report, with the case's --zones         SHARED/acceptance (cases/,
#                                                  fcases/), as its run.sh does
#   geowarden-scenario                             the generated files
#
# The scenario (seed 3, 7 days, scale 0.05: about 170 000 records) is made by
# BEFORE's geowarden-scenario (AFTER's when BEFORE has none); SCENARIO="SEED
# DAYS SCALE" changes it. SHARED is the team's shared folder, default ../shared
# next to the repository; BEFORE, AFTER and SHARED may also be given in the
# environment. Inputs are copied into the temporary folder and every command
# runs there with relative paths and the binary at the same place, so paths
# match between the two builds.
#
# Before comparing, reports, findings, standard output and standard error are
# normalised: today's timestamps become <NOW>, run times (the "seconds",
# "elapsed" or "duration" of a JSON summary) <DURATION>, the build's version
# <VERSION>, temporary names and paths <TMP>; nothing else (a "within 2h" in
# an alert is data). Cleaned copies and generated scenario files are compared
# byte for byte.
#
# Prints one line per command (same, or DIFFERENT with the files that differ and
# the start of their diff) and a count. Exit status: 0 when every output is the
# same, 1 when one differs, 2 when the comparison could not be run, 3 when
# every output compared is the same but the acceptance cases or the scenario
# were missing (a warning says which).
# -k keeps the temporary folder and prints where it is; -q prints only the
# differences and the count.
set -u -o pipefail

usage() { sed -n '2,/^set -u/{/^set -u/d;s/^# \{0,1\}//;p}' "$0"; }

keep=0 quiet=0
while [ $# -gt 0 ]; do
	case $1 in
	-k | --keep) keep=1; shift ;;
	-q | --quiet) quiet=1; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	-*) echo "compare-outputs: unknown option $1" >&2; usage >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -le 3 ] || { usage >&2; exit 2; }

die() { echo "compare-outputs: $*" >&2; exit 2; }
say() { [ $quiet -eq 1 ] || echo "$@"; }

top=$(git -C "$(dirname "$0")" rev-parse --show-toplevel 2>/dev/null) || die "cannot find the repository of $0"
BEFORE=${1:-${BEFORE:-5e3c248}}
AFTER=${2:-${AFTER:-WORKTREE}}
SHARED=${3:-${SHARED:-$top/../shared}}
read -r sc_seed sc_days sc_scale <<<"${SCENARIO:-3 7 0.05}"

# commit REV prints REV's commit id (WORKTREE stays as it is).
commit() {
	[ "$1" = WORKTREE ] && { echo WORKTREE; return; }
	git -C "$top" rev-parse -q --verify "$1^{commit}" || die "unknown revision $1"
}
BEFORE=$(commit "$BEFORE") || exit 2
AFTER=$(commit "$AFTER") || exit 2
describe() {
	if [ "$1" = WORKTREE ]; then
		echo "the working tree ($(git -C "$top" rev-parse --short HEAD)$(git -C "$top" diff --quiet HEAD 2>/dev/null || echo ', with changes'))"
	else
		git -C "$top" log -1 --format='%h %s' "$1" | cut -c1-72
	fi
}

W=$(mktemp -d "${TMPDIR:-/tmp}/geowarden-compare.XXXXXX") || die "cannot make a temporary folder"
W=$(cd "$W" && pwd -P)
cleanup() {
	if [ $keep -eq 1 ]; then
		echo "kept $W" >&2
	else
		chmod -R u+w "$W" 2>/dev/null
		rm -rf "$W"
	fi
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

# Dates that "now" timestamps may carry (local and UTC; the run may cross midnight).
dates="$(date +%F) $(date -u +%F)"

say "before: $(describe "$BEFORE")"
say "after:  $(describe "$AFTER")"

# build SIDE REV: bin/SIDE/geowarden (through the revision's Makefile, as a
# release is built) and bin/SIDE/geowarden-scenario when the revision has it.
build() {
	local side=$1 rev=$2 src
	if [ "$rev" = WORKTREE ]; then
		src=$top
	else
		src=$W/src-$side
		mkdir -p "$src"
		git -C "$top" archive "$rev" | tar -x -C "$src" || die "cannot export $rev"
	fi
	mkdir -p "$W/bin/$side"
	make -s -C "$src" build BIN="$W/bin/$side/geowarden" VERSION="compare-version-$side" \
		>"$W/build-$side.log" 2>&1 || { cat "$W/build-$side.log" >&2; die "cannot build geowarden at $rev"; }
	if [ -d "$src/cmd/geowarden-scenario" ]; then
		(cd "$src" && CGO_ENABLED=0 go build -trimpath -o "$W/bin/$side/geowarden-scenario" ./cmd/geowarden-scenario) \
			>>"$W/build-$side.log" 2>&1 || { cat "$W/build-$side.log" >&2; die "cannot build geowarden-scenario at $rev"; }
	fi
	rm -rf "$W/src-$side"
}
say "building both revisions..."
build before "$BEFORE"
build after "$AFTER"

# Inputs, shared by both runs: examples/ of BEFORE, the acceptance cases, a scenario.
run=$W/run
mkdir -p "$run/in"
if [ "$BEFORE" = WORKTREE ]; then
	cp -R "$top/examples" "$run/in/examples"
else
	git -C "$top" archive "$BEFORE" examples | tar -x -C "$run/in" || die "no examples/ at $BEFORE"
fi
if [ "$AFTER" != WORKTREE ] && [ "$BEFORE" != WORKTREE ] &&
	! git -C "$top" diff --quiet "$BEFORE" "$AFTER" -- examples; then
	echo "note: examples/ differs between the revisions; both runs read BEFORE's" >&2
fi
acceptance=
if [ -d "$SHARED/acceptance/cases" ] || [ -d "$SHARED/acceptance/fcases" ]; then
	cp -R "$SHARED/acceptance" "$run/in/acceptance"
	chmod -R u+w "$run/in/acceptance"
	acceptance=yes
else
	echo "WARNING: no acceptance cases: $SHARED/acceptance not found (give the shared folder as the third" >&2
	echo "WARNING: argument or SHARED=...); the acceptance cases are NOT compared" >&2
fi
gen=
for side in before after; do
	[ -x "$W/bin/$side/geowarden-scenario" ] && { gen=$W/bin/$side/geowarden-scenario; break; }
done
if [ -n "$gen" ]; then
	"$gen" -seed "$sc_seed" -days "$sc_days" -scale "$sc_scale" -o "$run/in/scenario" >/dev/null 2>"$W/scenario.log" ||
		{ cat "$W/scenario.log" >&2; die "cannot generate the scenario"; }
else
	echo "WARNING: neither revision has cmd/geowarden-scenario; the scenario is NOT compared" >&2
fi

# r NAME [\< FILE] CMD...: runs CMD in $run with standard input from FILE
# (default /dev/null), keeping its stdout, stderr and exit code in out/NAME
# (where CMD also writes its files).
r() {
	local d=out/$1 in=/dev/null
	shift
	if [ "$1" = "<" ]; then
		in=$2
		shift 2
	fi
	mkdir -p "$run/$d"
	(cd "$run" && ${limit[@]+"${limit[@]}"} "$@" <"$in" >"$d/stdout" 2>"$d/stderr"; echo $? >"$d/rc")
}
# A command that hangs is stopped after 10 minutes (exit code 124).
limit=()
command -v timeout >/dev/null && limit=(timeout 600)

# run_all runs every command in $run (call it in a subshell).
run_all() {
	local f p b o c in z
	cd "$run" || exit 2
	for f in table json ndjson sarif html; do
		r "scan-examples-$f" ./geowarden scan --format "$f" in/examples
	done
	for f in table json ndjson html; do
		r "detect-examples-$f" ./geowarden detect --format "$f" in/examples
	done
	for p in in/examples/*; do
		b=${p##*/}
		case $b in *.md) continue ;; esac
		o=out/sanitize-examples-$b
		r "${o#out/}" ./geowarden sanitize --findings "$o/findings.ndjson" --report "$o/report.json" -o "$o/clean-$b" "$p"
	done
	o=out/sanitize-examples-folder
	r "${o#out/}" ./geowarden sanitize --findings "$o/findings.ndjson" --report "$o/report.json" -o "$o/clean" in/examples
	p=in/examples/malta_masts_antennas.geojson
	r scan-stdin-ndjson \< "$p" ./geowarden scan --format ndjson -
	o=out/sanitize-stdin
	r "${o#out/}" \< "$p" ./geowarden sanitize --findings "$o/findings.ndjson" --report "$o/report.json" -o "$o/clean.geojson" -
	r detect-stdin-ndjson \< in/examples/gnettrack-cork-drive.csv ./geowarden detect --format ndjson -

	if [ -n "$acceptance" ]; then
		for c in in/acceptance/cases/*/ in/acceptance/fcases/*/; do
			[ -d "$c" ] || continue
			c=${c%/}
			z=$c/zones.geojson in=
			for p in "$c"/*; do
				case ${p##*/} in truth.json | zones.geojson) ;; *) in=$p ;; esac
			done
			b=${c#in/acceptance/}
			b=${b//\//-}
			r "scan-acceptance-$b" ./geowarden scan --zones "$z" --format ndjson "$in"
			o=out/sanitize-acceptance-$b
			r "${o#out/}" ./geowarden sanitize --zones "$z" --findings "$o/findings.ndjson" --report "$o/report.json" \
				-o "$o/clean-${in##*/}" "$in"
		done
	fi

	if [ -n "$gen" ]; then
		if [ -x ./geowarden-scenario ]; then
			r scenario-generate ./geowarden-scenario -seed "$sc_seed" -days "$sc_days" -scale "$sc_scale" -o out/scenario-generate/scenario
		fi
		p=in/scenario
		for f in table json ndjson html; do
			r "detect-scenario-$f" ./geowarden detect --policy "$p/policy.yml" --format "$f" "$p/records.csv" "$p/per-source"
		done
		r scan-scenario-ndjson ./geowarden scan --policy "$p/policy.yml" --format ndjson "$p/records.csv" "$p/per-source"
		o=out/sanitize-scenario-records
		r "${o#out/}" ./geowarden sanitize --policy "$p/policy.yml" --findings "$o/findings.ndjson" --report "$o/report.json" \
			-o "$o/clean.csv" "$p/records.csv"
		o=out/sanitize-scenario-per-source
		r "${o#out/}" ./geowarden sanitize --policy "$p/policy.yml" --findings "$o/findings.ndjson" --report "$o/report.json" \
			-o "$o/clean" "$p/per-source"
	fi
}

for side in before after; do
	say "running $side..."
	rm -f "$run/geowarden" "$run/geowarden-scenario"
	cp "$W/bin/$side/geowarden" "$run/geowarden"
	[ -x "$W/bin/$side/geowarden-scenario" ] && cp "$W/bin/$side/geowarden-scenario" "$run/geowarden-scenario"
	(run_all)
	mv "$run/out" "$W/out-$side"
done
dates="$dates $(date +%F) $(date -u +%F)"

# Normalise what may rightly change between two runs; cleaned copies and
# generated files are left as they are.
dates_re=$(printf '%s\n' $dates | sort -u | paste -sd'|')
normalise() {
	sed -E -i \
		-e "s#$W#<RUN>#g" \
		-e 's#compare-version-(before|after)#<VERSION>#g' \
		-e 's#go1\.[0-9]+(\.[0-9]+)?#<GOVERSION>#g' \
		-e "s#($dates_re)[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2}| UTC)?#<NOW>#g" \
		-e 's#"(seconds|elapsed|duration)": *[0-9.eE+-]+#"\1": <DURATION>#g' \
		-e 's#\.geowarden-[0-9]+#.geowarden-<TMP>#g; s#geowarden-kmz-[0-9]+#geowarden-kmz-<TMP>#g' \
		-e 's#(/tmp|/var/tmp)/[^ "'\'':,)]*#<TMP>#g' \
		"$@"
}
for side in before after; do
	while IFS= read -r -d '' f; do
		normalise "$f"
	done < <(find "$W/out-$side" -mindepth 2 -maxdepth 2 -type f \
		\( -name stdout -o -name stderr -o -name findings.ndjson -o -name report.json \) -print0)
done

same=0 different=0
names=$( (ls "$W/out-before"; ls "$W/out-after") | sort -u)
for n in $names; do
	a=$W/out-before/$n b=$W/out-after/$n
	if diff -rq "$a" "$b" >/dev/null 2>&1; then
		same=$((same + 1))
		say "same       $n"
		continue
	fi
	different=$((different + 1))
	parts=$(diff -rq "$a" "$b" 2>&1 | sed -E "s#$W/out-(before|after)/$n/?##g; s#^Files (.*) and .* differ#\1#; s#^Only in ([^:]*): (.*)#only in \1: \2#" | paste -sd, | sed 's/,/, /g')
	echo "DIFFERENT  $n: $parts"
	diff -ru "$a" "$b" 2>/dev/null | sed -E "s#$W/##g" | grep -av '^Binary files' | head -n 12 | sed 's/^/    /'
done
total=$((same + different))
missing=
[ -n "$acceptance" ] || missing="$missing; acceptance cases NOT compared ($SHARED/acceptance absent)"
[ -n "$gen" ] || missing="$missing; scenario NOT compared"
if [ $different -eq 0 ]; then
	echo "$total outputs: all the same$missing"
	[ -z "$missing" ] || exit 3
	exit 0
fi
echo "$total outputs: $same the same, $different DIFFERENT$missing"
exit 1
