#!/usr/bin/env bash
# A private Docker engine for the container tests: `dockerd.sh start` / `dockerd.sh stop` (by its pid).
# It never creates a bridge or touches iptables (--bridge=none --iptables=false), so containers can only
# use the host network, where every server binds 127.0.0.1. Data root, exec root, socket and pid file
# live under CONTAINERS_DIR (default: the git-ignored .containers/ of the checkout), so images, the
# locally made base image included, survive between runs and nothing is shared with a system engine.
# Run as root. Clients use it with: export DOCKER_HOST=unix://$CONTAINERS_DIR/docker.sock
set -euo pipefail
dir="$(realpath -m "${CONTAINERS_DIR:-$(dirname "$0")/../../.containers}")"
pidfile="$dir/dockerd.pid" sock="$dir/docker.sock"
export DOCKER_HOST="unix://$sock"

running() { [[ -s $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

case "${1:-}" in
start)
  mkdir -p "$dir/data" "$dir/exec"
  if ! running; then
    # The exec root holds unix sockets: keep it short (108-byte limit), hence a /tmp path per data dir.
    exec_root="/tmp/pp-dockerd-$(echo "$dir" | md5sum | cut -c1-8)"
    dockerd --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
      --data-root "$dir/data" --exec-root "$exec_root" --pidfile "$pidfile" -H "unix://$sock" \
      --containerd-namespace pp-moby --containerd-plugins-namespace pp-moby-plugins \
      >"$dir/dockerd.log" 2>&1 &
  fi
  for _ in $(seq 120); do docker info >/dev/null 2>&1 && exit 0; sleep 0.5; done
  echo "dockerd did not answer within 60 s; $dir/dockerd.log:" >&2; tail -30 "$dir/dockerd.log" >&2; exit 1
  ;;
stop)
  if running; then
    pid="$(cat "$pidfile")"
    kill -TERM "$pid"
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  # dockerd leaves its data root bind-mounted onto itself: release it so the folder can be removed
  while mountpoint -q "$dir/data"; do umount "$dir/data"; done
  ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
