#!/usr/bin/env bash
# The crime-data benchmark: CommonBeat beside its peers, in one run, on this machine.
#
#   1. builds the release binary and the two benchmark examples once;
#   2. generates ROWS (1,000,000) Chicago-layout rows (crates/cli/examples/gen_chicago.rs);
#   3. times `commonbeat import incidents FILE --profile chicago` into a fresh SQLite data directory and into a
#      fresh PostgreSQL database, and DuckDB's `CREATE TABLE t AS SELECT * FROM read_csv(FILE)` on the same file;
#   4. times Gi* on a 100 m grid of those points (crates/analysis/examples/gi_vs_esda.rs) beside
#      esda.G_Local(star=True, binary lat2W queen weights, analytic) on the same grid (scripts/bench/gi_esda.py);
#   5. serves the 1M database and times GET /api/v1/analysis/hotspots?cell_m=250 and /trend?interval=month;
#   6. generates and imports BIG_ROWS (8,000,000) rows into SQLite, serves them, times hotspots and trend
#      again and reads the server's resident memory (VmRSS) with every incident cached.
#
# Prints a results table and writes it to $BENCH_DIR/results.md. Environment (all optional):
#   BENCH_DIR (/tmp/crime-bench)   work directory: CSV files, databases, logs (several GB for 8M rows)
#   CARGO_TARGET_DIR (/tmp/target-bench)
#   ROWS (1000000) BIG_ROWS (8000000) REQUESTS (20) PORT (18731)
#   PG_URL (postgres://postgres@127.0.0.1:5432)  server with trust auth; a database cb_bench_PID is created and dropped
#   VENV (/tmp/venv-bench)         Python venv with duckdb, esda, libpysal, numpy (created when missing)
#   SKIP_PG=1 SKIP_BIG=1 SKIP_ESDA=1 REUSE_CSV=1 (keep an existing generated file)
#   SKIP_IMPORTS=1 SKIP_GI=1       skip the 1M loads (reuses $BENCH_DIR/sqlite-1m) or the Gi* comparison
#   ALT_BIN, ALT_LABEL             a second `commonbeat` binary (e.g. built with a proposed fix): the 1M imports are
#                                  timed with it too, and it does the BIG_ROWS import
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
W=${BENCH_DIR:-/tmp/crime-bench}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/target-bench}
ROWS=${ROWS:-1000000}
BIG_ROWS=${BIG_ROWS:-8000000}
REQUESTS=${REQUESTS:-20}
PORT=${PORT:-18731}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
VENV=${VENV:-/tmp/venv-bench}
BIN=$CARGO_TARGET_DIR/release
CB=${COMMONBEAT_BIN:-$BIN/commonbeat}
ALT=${ALT_BIN:-}
ALT_LABEL=${ALT_LABEL:-alternative build}
PG_DB=cb_bench_$$
mkdir -p "$W"
LOG=$W/bench.log
: >"$LOG"

declare -A R # results
SERVER_PID=
cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [[ -z ${SKIP_PG:-} ]]; then
    psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

say() { echo "== $*" | tee -a "$LOG" >&2; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# JSON field of a one-line JSON document.
jget() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d[sys.argv[2]])' "$1" "$2"; }

# ---------------------------------------------------------------------------------------------------- machine
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
MEM=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "unknown (not a git checkout)")
git -C "$ROOT" diff --quiet HEAD 2>/dev/null || COMMIT="$COMMIT (+ uncommitted changes)"
say "machine: $(nproc) cores, $CPU, $MEM, kernel $(uname -r); commit $COMMIT"
R[machine]="$(nproc) cores ($CPU), $MEM RAM, kernel $(uname -r)"

# ---------------------------------------------------------------------------------------------------- build
say "building (release)"
(cd "$ROOT" && cargo build --release -q -p commonbeat -p commonbeat-analysis --bin commonbeat \
  --example gen_chicago --example gi_vs_esda) 2>&1 | tee -a "$LOG"
GEN=$BIN/examples/gen_chicago
GI=$BIN/examples/gi_vs_esda

if [[ ! -x $VENV/bin/python ]]; then
  say "creating the Python venv $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q duckdb esda libpysal numpy
fi
PY=$VENV/bin/python

# Dates: the two years up to 8 days ago (the public view lags 7 days, so both audiences see every incident).
END=$(date -u -d '8 days ago' +%F)
START=$(date -u -d "$END - 730 days" +%F)

gen() { # rows file seed
  if [[ -n ${REUSE_CSV:-} && -s $2 ]]; then
    say "reusing $2"
    return
  fi
  local t0
  t0=$(now)
  "$GEN" --rows "$1" --out "$2" --seed "$3" --end "$END" --days 730 2>&1 | tee -a "$LOG"
  R[gen_$1]=$(secs "$t0" "$(now)")
}

# import URL_FLAGS... : times `commonbeat import incidents` after migrating untimed; echoes seconds.
import_into() {
  local file=$1
  shift
  local cb=${CBX:-$CB}
  "$cb" "$@" --quiet migrate >>"$LOG" 2>&1
  local t0 t1
  t0=$(now)
  "$cb" "$@" import incidents "$file" --profile chicago --rejects "$W/rejects.csv" >>"$LOG" 2>&1
  t1=$(now)
  secs "$t0" "$t1"
}

# ---------------------------------------------------------------------------------------------------- 1M
CSV=$W/chicago-$ROWS.csv
say "generating $ROWS rows ($START .. $END)"
gen "$ROWS" "$CSV" 1
R[csv_mb]=$(du -m "$CSV" | cut -f1)
cat "$CSV" >/dev/null # the same warm page cache for every loader

if [[ -z ${SKIP_IMPORTS:-} ]]; then
say "DuckDB read_csv"
DUCK=$("$PY" "$ROOT/scripts/bench/duckdb_load.py" "$CSV" "$W/duck.db" 2>>"$LOG")
echo "$DUCK" >>"$LOG"
R[duck]=$(jget "$DUCK" seconds)
R[duck_ckpt]=$(jget "$DUCK" seconds_with_checkpoint)
R[duck_version]=$(jget "$DUCK" duckdb)
R[duck_mode]=$(jget "$DUCK" mode)
R[duck_threads]=$(jget "$DUCK" threads)
rm -f "$W/duck.db" "$W/duck.db.wal"

say "SQLite import"
rm -rf "$W/sqlite-1m"
R[sqlite]=$(import_into "$CSV" --data-dir "$W/sqlite-1m")
grep -E '^imported|rejected' "$LOG" | tail -6 >&2
R[sqlite_summary]=$(grep '^imported' "$LOG" | tail -1)
R[sqlite_rows]=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from incidents").fetchone()[0])' "$W/sqlite-1m/commonbeat.db")
R[sqlite_mb]=$(du -m "$W/sqlite-1m/commonbeat.db" | cut -f1)
if [[ -n $ALT ]]; then
  say "SQLite import ($ALT_LABEL)"
  rm -rf "$W/sqlite-1m-alt"
  R[sqlite_alt]=$(CBX=$ALT import_into "$CSV" --data-dir "$W/sqlite-1m-alt")
  R[sqlite_alt_rows]=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from incidents").fetchone()[0])' "$W/sqlite-1m-alt/commonbeat.db")
  rm -rf "$W/sqlite-1m-alt"
fi

if [[ -z ${SKIP_PG:-} ]]; then
  say "PostgreSQL import ($PG_DB)"
  psql "$PG_URL/postgres" -qc "CREATE DATABASE $PG_DB" >>"$LOG"
  R[pg]=$(import_into "$CSV" --database-url "$PG_URL/$PG_DB")
  R[pg_rows]=$(psql "$PG_URL/$PG_DB" -Atc "select count(*) from incidents")
  R[pg_version]=$(psql "$PG_URL/$PG_DB" -Atc "show server_version" | cut -d' ' -f1)
  psql "$PG_URL/postgres" -qc "DROP DATABASE $PG_DB" >>"$LOG"
  if [[ -n $ALT ]]; then
    say "PostgreSQL import ($ALT_LABEL)"
    psql "$PG_URL/postgres" -qc "CREATE DATABASE $PG_DB" >>"$LOG"
    R[pg_alt]=$(CBX=$ALT import_into "$CSV" --database-url "$PG_URL/$PG_DB")
    psql "$PG_URL/postgres" -qc "DROP DATABASE $PG_DB" >>"$LOG"
  fi
fi

fi # SKIP_IMPORTS

# ---------------------------------------------------------------------------------------------------- Gi*
if [[ -z ${SKIP_GI:-} ]]; then
say "Gi* at 100 m: Rust"
GIJ=$("$GI" "$CSV" 100 "$W/counts.u32" "$W/z.f64" 9)
echo "$GIJ" >>"$LOG"
R[gi_ms]=$(jget "$GIJ" gi_ms_median)
R[bin_ms]=$(jget "$GIJ" bin_ms)
R[gi_points]=$(jget "$GIJ" points)
R[gi_rows]=$(jget "$GIJ" grid_rows)
R[gi_cols]=$(jget "$GIJ" grid_cols)
R[gi_cells]=$(jget "$GIJ" cells)
if [[ -z ${SKIP_ESDA:-} ]]; then
  say "Gi* at 100 m: esda.G_Local"
  ESDA=$("$PY" "$ROOT/scripts/bench/gi_esda.py" "$W/counts.u32" "${R[gi_rows]}" "${R[gi_cols]}" "$W/z.f64" 3 2>>"$LOG")
  echo "$ESDA" >>"$LOG"
  R[esda_s]=$(jget "$ESDA" g_local_s_min)
  R[esda_w_s]=$(jget "$ESDA" weights_s)
  R[esda_diff]=$(jget "$ESDA" max_abs_z_diff)
  R[esda_version]=$(jget "$ESDA" esda)
  R[libpysal_version]=$(jget "$ESDA" libpysal)
fi
fi # SKIP_GI

# ---------------------------------------------------------------------------------------------------- HTTP
# stats: median and p95 (nearest rank) in ms of the numbers (seconds) on stdin.
stats() { sort -g | awk '{ v[NR] = $1 * 1000 } END { p = int(NR * 0.95 + 0.999); printf "%.1f %.1f\n", v[int((NR + 1) / 2)], v[p] }'; }

# serve DATA_DIR LABEL: police account + token, server, warm-up, REQUESTS timings per endpoint and audience.
serve_and_time() {
  local dir=$1 label=$2 url="http://127.0.0.1:$PORT"
  local q="from=$START&to=$END"
  printf 'bench-Police-Passphrase-%s-9x!\n' "$RANDOM" |
    "$CB" --data-dir "$dir" --quiet user add --role police --email "police-$label@bench.example" --name "Bench Police" \
      --password-stdin >>"$LOG" 2>&1 || true # already there when the database is reused
  # A police token needs MFA enrolled; the benchmark flips the flag directly rather than scripting TOTP.
  python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("update users set mfa_enabled=1 where email=?", (sys.argv[2],)); c.commit()' \
    "$dir/commonbeat.db" "police-$label@bench.example"
  local token
  token=$("$CB" --data-dir "$dir" --quiet user token --email "police-$label@bench.example" 2>>"$LOG")
  "$CB" --data-dir "$dir" --quiet serve --bind "127.0.0.1:$PORT" >>"$LOG" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do
    curl -fs "$url/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  R[${label}_rss_idle]=$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER_PID/status")
  # Warm-up: the first request loads the columnar cache from the database.
  local t0
  t0=$(now)
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$url/api/v1/analysis/trend?interval=month&$q")
  R[${label}_cold]=$(secs "$t0" "$(now)")
  [[ $code == 200 ]] || { say "warm-up answered $code"; exit 1; }
  R[${label}_rss]=$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER_PID/status")
  local name path auth
  for name in hotspots trend; do
    case $name in
      hotspots) path="/api/v1/analysis/hotspots?cell_m=250&$q" ;;
      trend) path="/api/v1/analysis/trend?interval=month&$q" ;;
    esac
    for auth in police public; do
      local hdr=()
      [[ $auth == police ]] && hdr=(-H "Authorization: Bearer $token")
      curl -s -o "$W/$label-$name-$auth.json" -w '%{http_code}\n' "${hdr[@]}" "$url$path" >"$W/code" # one more warm-up
      [[ $(cat "$W/code") == 200 ]] || { say "$name/$auth answered $(cat "$W/code")"; exit 1; }
      R[${label}_${name}_${auth}_kb]=$(($(stat -c %s "$W/$label-$name-$auth.json") / 1024))
      local i
      for i in $(seq "$REQUESTS"); do
        curl -s -o /dev/null -w '%{time_total}\n' "${hdr[@]}" "$url$path"
      done | stats >"$W/stats"
      read -r R[${label}_${name}_${auth}_med] R[${label}_${name}_${auth}_p95] <"$W/stats"
    done
  done
  R[${label}_rss_after]=$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER_PID/status")
  R[${label}_hwm]=$(awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER_PID/status")
  kill "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}

say "HTTP on $ROWS incidents"
serve_and_time "$W/sqlite-1m" m1

# ---------------------------------------------------------------------------------------------------- 8M
if [[ -z ${SKIP_BIG:-} ]]; then
  BIG=$W/chicago-$BIG_ROWS.csv
  say "generating $BIG_ROWS rows"
  gen "$BIG_ROWS" "$BIG" 2
  say "SQLite import of $BIG_ROWS rows"
  rm -rf "$W/sqlite-big"
  R[big_import]=$(CBX=${ALT:-$CB} import_into "$BIG" --data-dir "$W/sqlite-big")
  R[big_importer]=$([[ -n $ALT ]] && echo "$ALT_LABEL" || echo "the build under test")
  R[big_summary]=$(grep '^imported' "$LOG" | tail -1)
  R[big_rows]=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from incidents").fetchone()[0])' "$W/sqlite-big/commonbeat.db")
  say "HTTP on $BIG_ROWS incidents"
  serve_and_time "$W/sqlite-big" big
fi

# ---------------------------------------------------------------------------------------------------- report
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v v="$1" -v op="$2" -v lim="$3" 'BEGIN { ok = (op == "<=") ? v <= lim : (op == ">=") ? v >= lim : v < lim; print ok ? "pass" : "FAIL" }'; }
{
  echo "Crime-data benchmark, $(date -u +%F), ${R[machine]}"
  echo
  echo "| What | Measured | Peer | Ratio / floor | Verdict |"
  echo "|------|----------|------|---------------|---------|"
  if [[ -n ${R[sqlite]:-} ]]; then
    r=$(ratio "${R[sqlite]}" "${R[duck]}")
    echo "| Import $ROWS rows → SQLite (CLI wall clock, indexes included) | ${R[sqlite]} s | DuckDB read_csv ${R[duck]} s | ${r}× (≤ 1.5×) | $(verdict "$r" '<=' 1.5) |"
  fi
  if [[ -n ${R[sqlite_alt]:-} ]]; then
    r=$(ratio "${R[sqlite_alt]}" "${R[duck]}")
    echo "| Import $ROWS rows → SQLite, $ALT_LABEL | ${R[sqlite_alt]} s | DuckDB read_csv ${R[duck]} s | ${r}× (≤ 1.5×) | $(verdict "$r" '<=' 1.5) |"
  fi
  if [[ -n ${R[pg]:-} ]]; then
    r=$(ratio "${R[pg]}" "${R[duck]}")
    echo "| Import $ROWS rows → PostgreSQL ${R[pg_version]} | ${R[pg]} s | DuckDB read_csv ${R[duck]} s | ${r}× (≤ 2×) | $(verdict "$r" '<=' 2) |"
  fi
  if [[ -n ${R[pg_alt]:-} ]]; then
    r=$(ratio "${R[pg_alt]}" "${R[duck]}")
    echo "| Import $ROWS rows → PostgreSQL, $ALT_LABEL | ${R[pg_alt]} s | DuckDB read_csv ${R[duck]} s | ${r}× (≤ 2×) | $(verdict "$r" '<=' 2) |"
  fi
  if [[ -n ${R[esda_s]:-} ]]; then
    r=$(awk -v e="${R[esda_s]}" -v g="${R[gi_ms]}" 'BEGIN { printf "%.0f", e * 1000 / g }')
    echo "| Gi* 100 m, ${R[gi_points]} points, ${R[gi_rows]}×${R[gi_cols]} = ${R[gi_cells]} cells | ${R[gi_ms]} ms (+ binning ${R[bin_ms]} ms) | esda.G_Local ${R[esda_s]} s (+ lat2W ${R[esda_w_s]} s) | ${r}× faster (≥ 100×) | $(verdict "$r" '>=' 100) |"
  fi
  echo "| Hotspots 250 m, $ROWS incidents, police / public (median, p95) | ${R[m1_hotspots_police_med]} / ${R[m1_hotspots_public_med]} ms (p95 ${R[m1_hotspots_police_p95]} / ${R[m1_hotspots_public_p95]}) | — | < 100 ms | $(verdict "$(printf '%s\n' "${R[m1_hotspots_police_med]}" "${R[m1_hotspots_public_med]}" | sort -g | tail -1)" '<' 100) |"
  echo "| Trend by month, $ROWS incidents, police / public | ${R[m1_trend_police_med]} / ${R[m1_trend_public_med]} ms (p95 ${R[m1_trend_police_p95]} / ${R[m1_trend_public_p95]}) | — | — | — |"
  if [[ -n ${R[big_rows]:-} ]]; then
    echo "| Hotspots 250 m, ${R[big_rows]} incidents, police / public | ${R[big_hotspots_police_med]} / ${R[big_hotspots_public_med]} ms (p95 ${R[big_hotspots_police_p95]} / ${R[big_hotspots_public_p95]}) | — | < 300 ms | $(verdict "$(printf '%s\n' "${R[big_hotspots_police_med]}" "${R[big_hotspots_public_med]}" | sort -g | tail -1)" '<' 300) |"
    echo "| Trend by month, ${R[big_rows]} incidents, police / public | ${R[big_trend_police_med]} / ${R[big_trend_public_med]} ms (p95 ${R[big_trend_police_p95]} / ${R[big_trend_public_p95]}) | — | < 300 ms | $(verdict "$(printf '%s\n' "${R[big_trend_police_med]}" "${R[big_trend_public_med]}" | sort -g | tail -1)" '<' 300) |"
    echo "| Server RSS, ${R[big_rows]} incidents cached (after warm-up / after the runs / peak) | ${R[big_rss]} / ${R[big_rss_after]} / ${R[big_hwm]} MB | — | < 400 MB | $(verdict "${R[big_rss_after]}" '<' 400) |"
  fi
  echo
  echo "Details:"
  echo "- generated file: $ROWS rows, ${R[csv_mb]} MB$([[ -n ${R[gen_$ROWS]:-} ]] && echo ", ${R[gen_$ROWS]} s to generate")"
  if [[ -n ${R[sqlite]:-} ]]; then
    echo "- SQLite: ${R[sqlite_rows]} incidents stored, database ${R[sqlite_mb]} MB; CLI: ${R[sqlite_summary]}"
    [[ -n ${R[pg]:-} ]] && echo "- PostgreSQL: ${R[pg_rows]} incidents stored"
    echo "- DuckDB ${R[duck_version]} (${R[duck_threads]} threads, types: ${R[duck_mode]}): ${R[duck]} s for the statement, ${R[duck_ckpt]} s with CHECKPOINT"
  fi
  [[ -n ${R[esda_s]:-} ]] && echo "- esda ${R[esda_version]}, libpysal ${R[libpysal_version]}: max |z(esda) − z(Rust)| = ${R[esda_diff]}"
  echo "- HTTP (curl time_total, $REQUESTS requests each after one warm-up, keep-alive off, period $START..$END): response sizes hotspots ${R[m1_hotspots_police_kb]} / ${R[m1_hotspots_public_kb]} KiB, trend ${R[m1_trend_police_kb]} / ${R[m1_trend_public_kb]} KiB; first request (cache load) ${R[m1_cold]} s; RSS $ROWS cached ${R[m1_rss]} MB"
  if [[ -n ${R[big_rows]:-} ]]; then
    echo "- $BIG_ROWS rows: generated in ${R[gen_$BIG_ROWS]:-?} s, imported into SQLite in ${R[big_import]} s by ${R[big_importer]} (${R[big_summary]}); first request (cache load) ${R[big_cold]} s; RSS before the first request ${R[big_rss_idle]} MB; hotspots ${R[big_hotspots_police_kb]} / ${R[big_hotspots_public_kb]} KiB"
  fi
} | tee "$W/results.md"
