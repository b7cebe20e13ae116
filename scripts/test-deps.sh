#!/usr/bin/env bash
# What `make test` needs besides Go, installed on Debian when missing:
# redis-server (tests start private ones) and Debian's AWS CLI, /usr/bin/aws
# 2.9 (package awscli, about ten python3 packages): the Query-protocol client
# the cwlocal tests drive; podman and runc, which load and run the admin
# server's image (Debian's default runtime crun cannot create cgroups in this
# kind of sandbox, so the test runs podman with runc). As root it installs
# them; otherwise it names the one command and fails.
set -euo pipefail
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/bin/aws ] || missing+=(awscli)
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v runc >/dev/null 2>&1 || [ -x /usr/sbin/runc ] || missing+=(runc)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "make test: installing ${missing[*]} with apt-get"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
  exit 0
fi
echo "make test needs ${missing[*]}: sudo sh -c 'apt-get update && apt-get install -y ${missing[*]}'" >&2
exit 1
