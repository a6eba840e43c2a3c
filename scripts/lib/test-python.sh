# Sourced by the test scripts: a Python virtual environment in .build/test-python (python3-venv
# from Debian when missing), with `pip_need MODULE` installing its pinned package when it is not
# there yet.
venv=.build/test-python
if [ ! -x "$venv/bin/python" ]; then
  if ! python3 -m venv "$venv" 2>/dev/null; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    rm -rf "$venv"; python3 -m venv "$venv"
  fi
fi
declare -A pins=([schemathesis]=schemathesis==4.32.5 [selenium]=selenium==4.51.0 [georeport]=georeport==0.3.1
       [prometheus_client]=prometheus-client==0.23.1)
pip_need() {  # pip_need MODULE
  "$venv/bin/python" -c "import $1" 2>/dev/null || "$venv/bin/pip" install -q "${pins[$1]}"
}
# A gongzhi server on a new database in $work, its address in $base; stopped on exit.
start_server() {  # start_server BIN [SERVE ARGS...]
  local bin=$1; shift
  work=$(mktemp -d)
  "$bin" serve --port 0 --db "$work/g.sqlite" "$@" >"$work/serve.log" 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
  base=""
  for _ in $(seq 1 600); do base=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/serve.log" | head -1 || true); [ -n "$base" ] && break; sleep 0.1; done
  [ -n "$base" ] || { cat "$work/serve.log"; exit 1; }
}
