#!/usr/bin/env bash
# The project's one test command.
#
#   scripts/test.sh [extra `dotnet test` arguments, e.g. --filter "FullyQualifiedName~Redis"]
#
# 1. starts (or reuses) Redis, PostgreSQL and RabbitMQ on 127.0.0.1 with scripts/servers.sh,
# 2. exports their addresses (TASKS_TEST_REDIS, TASKS_TEST_POSTGRES, TASKS_TEST_RABBITMQ),
# 3. runs `dotnet test` on the solution in Release, writing TRX files to artifacts/test-results,
# 4. adds up the TRX files of all test projects and ends with one line:
#        tests: N passed, N failed, N skipped
#
# It fails (exit code non-zero) if `dotnet test` fails, if any test fails, or if no test ran.
# The servers keep running afterwards so that the next run is fast; TASKS_STOP_SERVERS=1 stops them.
# TASKS_TEST_VERBOSITY sets the console logger's verbosity (default: normal).
# TASKS_TEST_HANG_TIMEOUT (default 10m, "off" to disable): a test running longer than this is taken
# as hung; its test host is killed and the run fails, naming the test (VSTest's --blame-hang).
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
cd "$ROOT"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if [[ "${CI:-}" == true || "${CI:-}" == 1 ]]; then
  # No MSBuild worker nodes left behind on CI machines (they can keep the job's output open).
  export MSBUILDDISABLENODEREUSE=1
fi

RESULTS="artifacts/test-results"
VERBOSITY="${TASKS_TEST_VERBOSITY:-normal}"
HANG_TIMEOUT="${TASKS_TEST_HANG_TIMEOUT:-10m}"

stop_servers_if_asked() {
  if [[ "${TASKS_STOP_SERVERS:-0}" == 1 ]]; then
    trap - EXIT
    echo "stopping the servers (TASKS_STOP_SERVERS=1)"
    scripts/servers.sh stop || true
  fi
}
# finish RC PASSED FAILED SKIPPED: the summary is always the very last line.
finish() {
  stop_servers_if_asked
  echo "tests: $2 passed, $3 failed, $4 skipped"
  exit "$1"
}
# (Also stop them when interrupted.)
if [[ "${TASKS_STOP_SERVERS:-0}" == 1 ]]; then trap stop_servers_if_asked EXIT; fi

# ----- servers --------------------------------------------------------------------------------
if ! scripts/servers.sh start; then
  echo "test.sh: the test servers could not be started (see above)"
  finish 1 0 0 0
fi
eval "$(scripts/servers.sh env)"
echo "TASKS_TEST_REDIS=$TASKS_TEST_REDIS"
echo "TASKS_TEST_REDIS_TLS=$TASKS_TEST_REDIS_TLS"
echo "TASKS_TEST_POSTGRES=$TASKS_TEST_POSTGRES"
echo "TASKS_TEST_RABBITMQ=$TASKS_TEST_RABBITMQ"

# ----- tests ----------------------------------------------------------------------------------
SOLUTION=""
for s in Tasks.sln Tasks.slnx; do [[ -f "$s" ]] && { SOLUTION="$s"; break; }; done
if [[ -z "$SOLUTION" ]]; then
  echo "test.sh: no Tasks.sln (or Tasks.slnx) in $ROOT"
  finish 1 0 0 0
fi

rm -rf "$RESULTS"
mkdir -p "$RESULTS"

# `dotnet test` has two modes; global.json selects Microsoft.Testing.Platform, otherwise VSTest.
if [[ -f global.json ]] && grep -Eq '"runner"[[:space:]]*:[[:space:]]*"Microsoft\.Testing\.Platform"' global.json; then
  report_args=(--results-directory "$RESULTS" --report-trx)
else
  report_args=(--results-directory "$RESULTS" --logger trx --logger "console;verbosity=$VERBOSITY")
  if [[ "$HANG_TIMEOUT" != off && "$HANG_TIMEOUT" != 0 ]]; then
    report_args+=(--blame-hang-timeout "$HANG_TIMEOUT" --blame-hang-dump-type none)
  fi
fi

# Build once (in parallel), then run the test projects one after another: several suites measure time
# (run-after tolerance, retry backoff, crash recovery) and must not share 2 cores with each other's servers' load.
echo "dotnet build $SOLUTION -c Release"
set +e
dotnet build "$SOLUTION" -c Release
dotnet_rc=$?
if [[ $dotnet_rc -eq 0 ]]; then
  echo "dotnet test $SOLUTION -c Release --no-build -m:1 ${report_args[*]} $*"
  dotnet test "$SOLUTION" -c Release --no-build -m:1 "${report_args[@]}" "$@"
  dotnet_rc=$?
fi
set -e

# ----- summary over every TRX file --------------------------------------------------------------
mapfile -t trx_files < <(find "$RESULTS" -type f -name '*.trx' | sort)

# Prints "passed failed skipped" and then one "FAILED <test name>" line per failed test.
count_trx() {
  if command -v python3 >/dev/null 2>&1; then
    python3 - "$@" <<'PY'
import sys
import xml.etree.ElementTree as ET

passed = failed = skipped = 0
failed_names = []
for path in sys.argv[1:]:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        print(f"unreadable TRX file {path}: {e}", file=sys.stderr)
        failed += 1
        failed_names.append(f"(unreadable {path})")
        continue
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    results = root.find(f"{ns}Results")
    # Only the top-level results: data-driven tests may nest InnerResults.
    for r in ([] if results is None else results.findall(f"{ns}UnitTestResult")):
        outcome = r.get("outcome", "")
        if outcome == "Passed":
            passed += 1
        elif outcome in ("NotExecuted", "Inconclusive", "Skipped", "NotRunnable"):
            skipped += 1
        else:  # Failed, Error, Timeout, Aborted, ...
            failed += 1
            # The message and the first stack lines, so a CI log that keeps only the end still says why.
            info = r.find(f"{ns}Output/{ns}ErrorInfo")
            detail = []
            if info is not None:
                for tag, keep in (("Message", 8), ("StackTrace", 4)):
                    text = (info.findtext(f"{ns}{tag}") or "").strip()
                    detail += ["      " + line.rstrip() for line in text.splitlines()[:keep]]
            failed_names.append("\n".join([f"{r.get('testName', '?')} [{outcome}]"] + detail))
print(passed, failed, skipped)
for n in failed_names:
    print("FAILED", n)
PY
  else
    # No python3: add up the <Counters .../> element of each file. VSTest does not count
    # skipped tests in any counter, so skipped = total - passed - failed.
    local p=0 f=0 s=0 file counters attr
    local -A v
    for file in "$@"; do
      counters="$(tr -d '\r\n' <"$file" | grep -o '<Counters [^>]*>' | head -n1 || true)"
      if [[ -z "$counters" ]]; then echo "no <Counters> in $file" >&2; return 1; fi
      for attr in total passed failed error timeout aborted; do
        v[$attr]="$(sed -n "s/.* $attr=\"\([0-9]*\)\".*/\1/p" <<<"$counters")"
        v[$attr]="${v[$attr]:-0}"
      done
      p=$((p + v[passed]))
      f=$((f + v[failed] + v[error] + v[timeout] + v[aborted]))
      s=$((s + v[total] - v[passed] - v[failed] - v[error] - v[timeout] - v[aborted]))
    done
    echo "$p $f $s"
  fi
}

passed=0 failed=0 skipped=0 counted="" parse_error=0
if ((${#trx_files[@]} > 0)); then
  if counted="$(count_trx "${trx_files[@]}")" \
      && read -r passed failed skipped <<<"$(head -n1 <<<"$counted")" \
      && [[ "$passed $failed $skipped" =~ ^[0-9]+\ [0-9]+\ [0-9]+$ ]]; then
    :
  else
    parse_error=1 passed=0 failed=0 skipped=0
  fi
fi

echo
echo "TRX results (${#trx_files[@]} file(s)) in $RESULTS"
if ((${#trx_files[@]} > 0)); then
  failed_list="$(tail -n +2 <<<"$counted")"
  if [[ -n "$failed_list" ]]; then
    echo "failed tests:"
    head -n 400 <<<"$failed_list" | sed 's/^FAILED /  /'
  fi
fi

rc=0
if ((parse_error)); then
  echo "test.sh: could not read the TRX files in $RESULTS"
  rc=1
fi
if ((dotnet_rc != 0)); then
  echo "test.sh: dotnet test exited with code $dotnet_rc"
  rc=1
fi
if ((failed > 0)); then
  echo "test.sh: $failed test(s) failed"
  rc=1
fi
if ((passed + failed == 0)); then
  if ((${#trx_files[@]} == 0)); then
    echo "test.sh: no test was executed: no TRX file was written (did the build fail, or does the solution have no test project?)"
  else
    echo "test.sh: no test was executed (does the --filter match nothing, or are all tests skipped?)"
  fi
  rc=1
fi
finish "$rc" "$passed" "$failed" "$skipped"
