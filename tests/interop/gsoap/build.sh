#!/usr/bin/env bash
# Builds the gSOAP interop service from calc.wsdl with Debian's gsoap (packages gsoap and
# libgsoap-dev): wsdl2h (WSDL -> annotated C header), soapcpp2 (header -> server skeleton and
# serializers), gcc (server.c + generated code + libgsoap).
#   bash tests/interop/gsoap/build.sh OUT_DIR     -> OUT_DIR/calc-server
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: build.sh OUT_DIR}"
mkdir -p "$out"
cd "$out"
wsdl2h -c -o calc.h "$here/calc.wsdl" >wsdl2h.log 2>&1 || { cat wsdl2h.log >&2; exit 1; }
soapcpp2 -c -S -L -x calc.h >soapcpp2.log 2>&1 || { cat soapcpp2.log >&2; exit 1; }
gcc -O1 -o calc-server -I. "$here/server.c" soapC.c soapServer.c -lgsoap
echo "$out/calc-server"
