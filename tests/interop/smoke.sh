#!/usr/bin/env bash
# Smoke test of the spyne interop service with plain curl (no Rust involved).
#   PYTHON=python3 PORT=8765 OUT=/tmp/interop bash tests/interop/smoke.sh
# Starts the service, waits for "READY <port>", saves the WSDL to $OUT/interop.wsdl,
# posts hand-written SOAP 1.1 envelopes for every operation (saved as
# $OUT/calls/<name>.req.xml / .resp.xml), checks the answers, then stops the
# service with SIGTERM and checks it exits 0.
# Ends with a plain "N passed, N failed" line; exit status 0 only if all passed.
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
PYTHON="${PYTHON:-python3}"
PORT="${PORT:-8765}"
OUT="${OUT:-/tmp/interop}"
URL="http://127.0.0.1:$PORT/"
mkdir -p "$OUT/calls"

pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "ok   - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; }

"$PYTHON" -u "$HERE/spyne_service.py" "$PORT" >"$OUT/service.out" 2>"$OUT/service.err" &
SVC=$!
cleanup() { kill -TERM "$SVC" 2>/dev/null; }
trap cleanup EXIT

ready=0
for _ in $(seq 1 100); do
  if grep -q "^READY $PORT\$" "$OUT/service.out" 2>/dev/null; then ready=1; break; fi
  kill -0 "$SVC" 2>/dev/null || break
  sleep 0.1
done
if [ "$ready" = 1 ]; then ok "service printed READY $PORT"; else
  bad "service did not become ready"; cat "$OUT/service.err"; echo "$pass passed, $fail failed"; exit 1
fi

code=$(curl -sS -o "$OUT/interop.wsdl" -w '%{http_code}' "$URL?wsdl")
if [ "$code" = 200 ] && grep -q 'targetNamespace="urn:soapbridge:interop"' "$OUT/interop.wsdl"; then
  ok "WSDL served at ${URL}?wsdl"; else bad "WSDL fetch (HTTP $code)"; fi

# call NAME SOAPACTION EXPECTED_HTTP BODY EXPECTED_SUBSTRING...
call() {
  local name=$1 action=$2 want=$3 body=$4; shift 4
  cat >"$OUT/calls/$name.req.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:tns="urn:soapbridge:interop">
  <soapenv:Body>
    $body
  </soapenv:Body>
</soapenv:Envelope>
EOF
  local got
  got=$(curl -sS -o "$OUT/calls/$name.resp.xml" -w '%{http_code}' \
        -H 'Content-Type: text/xml; charset=utf-8' -H "SOAPAction: \"$action\"" \
        --data-binary @"$OUT/calls/$name.req.xml" "$URL")
  local okay=1 s
  [ "$got" = "$want" ] || { okay=0; echo "     $name: HTTP $got, wanted $want"; }
  for s in "$@"; do
    grep -qF -- "$s" "$OUT/calls/$name.resp.xml" || { okay=0; echo "     $name: missing: $s"; }
  done
  if [ "$okay" = 1 ]; then ok "$name"; else bad "$name"; cat "$OUT/calls/$name.resp.xml"; echo; fi
}

call add Add 200 '<tns:Add><tns:a>2</tns:a><tns:b>40</tns:b></tns:Add>' \
  '<tns:AddResponse><tns:AddResult>42</tns:AddResult></tns:AddResponse>'
call echo Echo 200 '<tns:Echo><tns:text>héllo &amp; &lt;x&gt;</tns:text><tns:count>3</tns:count><tns:flag>true</tns:flag><tns:amount>12345678901234567.89</tns:amount></tns:Echo>' \
  '<tns:text>héllo &amp; &lt;x&gt;</tns:text>' '<tns:count>3</tns:count>' '<tns:flag>true</tns:flag>' \
  '<tns:amount>12345678901234567.89</tns:amount>' '<tns:negatedFlag>false</tns:negatedFlag>' \
  '<tns:doubledAmount>24691357802469135.78</tns:doubledAmount>' \
  '<tns:repeated>héllo &amp; &lt;x&gt;héllo &amp; &lt;x&gt;héllo &amp; &lt;x&gt;</tns:repeated>'
call getorder0 GetOrder 200 '<tns:GetOrder><tns:orderId>0</tns:orderId></tns:GetOrder>' \
  '<tns:lines/>' '<tns:giftMessage xsi:nil="true"/>' \
  '<tns:orderDate>2024-01-01</tns:orderDate>' '<tns:total>0.00</tns:total>'
call getorder1 GetOrder 200 '<tns:GetOrder><tns:orderId>1</tns:orderId></tns:GetOrder>' \
  '<tns:lines><tns:OrderLine><tns:sku>SKU-1-1</tns:sku><tns:quantity>1</tns:quantity><tns:price>10.25</tns:price></tns:OrderLine></tns:lines>' \
  '<tns:note>Order 1 note</tns:note>' '<tns:tags>tag1</tns:tags><tns:total>10.25</tns:total>'
call getorder3 GetOrder 200 '<tns:GetOrder><tns:orderId>3</tns:orderId></tns:GetOrder>' \
  '<tns:sku>SKU-3-3</tns:sku><tns:quantity>3</tns:quantity><tns:price>30.75</tns:price></tns:OrderLine></tns:lines>' \
  '<tns:street>3 Main Street</tns:street><tns:city>Springfield</tns:city>' \
  '<tns:createdAt>2024-01-04T12:30:45+00:00</tns:createdAt>' \
  '<tns:tags>tag1</tns:tags><tns:tags>tag2</tns:tags><tns:total>143.50</tns:total>'
call fail5 FailIfNegative 200 '<tns:FailIfNegative><tns:value>5</tns:value></tns:FailIfNegative>' \
  '<tns:FailIfNegativeResult>5</tns:FailIfNegativeResult>'
call failneg FailIfNegative 500 '<tns:FailIfNegative><tns:value>-5</tns:value></tns:FailIfNegative>' \
  '<faultcode>soap11env:Client.NegativeValue</faultcode>' \
  '<faultstring>value must not be negative: -5</faultstring>' \
  '<detail><tns:NegativeValue><tns:value>-5</tns:value></tns:NegativeValue></detail>'
call fail13 FailIfNegative 500 '<tns:FailIfNegative><tns:value>13</tns:value></tns:FailIfNegative>' \
  '<faultcode>soap11env:Server</faultcode><faultstring>boom</faultstring>'
call invalid Add 500 '<tns:Add><tns:a>notanint</tns:a></tns:Add>' \
  '<faultcode>soap11env:Client.SchemaValidationError</faultcode>'

trap - EXIT
kill -TERM "$SVC"
rc=0; for _ in $(seq 1 50); do kill -0 "$SVC" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$SVC" 2>/dev/null; then bad "service still running 5s after SIGTERM"; kill -KILL "$SVC"
else wait "$SVC"; rc=$?; if [ "$rc" = 0 ]; then ok "SIGTERM: clean exit 0"; else bad "SIGTERM: exit $rc"; fi; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
