#!/usr/bin/env bash
# Builds the gSOAP WS-Addressing interop service with Debian's gsoap (packages gsoap and
# libgsoap-dev): soapcpp2 (addr.h, importing gSOAP's wsa5.h -> server skeleton and
# serializers), gcc (server-addr.c + generated code + gSOAP's wsaapi plugin + libgsoap).
#   bash tests/interop/gsoap/build-addr.sh OUT_DIR     -> OUT_DIR/addr-server
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: build-addr.sh OUT_DIR}"
share=/usr/share/gsoap
mkdir -p "$out"
cd "$out"
soapcpp2 -c -S -L -x -I"$share/import" "$here/addr.h" >soapcpp2.log 2>&1 || { cat soapcpp2.log >&2; exit 1; }
gcc -O1 -o addr-server -I. -I"$share/plugin" "$here/server-addr.c" soapC.c soapServer.c \
    "$share/plugin/wsaapi.c" -lgsoap
echo "$out/addr-server"
