#!/usr/bin/env bash
# Publishes eng/aot-smoke (a console app that references only ComfyUI.Client) with NativeAOT and warnings as errors, then runs it against
# the fake server. Proves "AOT- and trim-safe" for users: any IL2xxx/IL3xxx warning from the SDK fails the publish.
# NativeAOT needs clang and zlib; as root on Debian/Ubuntu they are installed when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang >/dev/null || ! { [ -e /usr/include/zlib.h ] || [ -e /usr/local/include/zlib.h ]; }; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "aot-smoke: installing clang and zlib1g-dev"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang zlib1g-dev) >/dev/null
  else
    echo "aot-smoke: NativeAOT needs clang and zlib (apt-get install clang zlib1g-dev)" >&2
    exit 1
  fi
fi

out=$(mktemp -d)
trap 'kill "${server_pid:-}" 2>/dev/null || true; rm -rf "$out"' EXIT
dotnet publish eng/aot-smoke/AotSmoke.csproj -c Release -o "$out/app" -nologo -v q
dotnet build samples/FakeServer -c Release -nologo -v q -o "$out/fake" >/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18289)
dotnet "$out/fake/FakeServer.dll" --port "$port" >"$out/fake.log" 2>&1 &
server_pid=$!
"$out/app/AotSmoke" "http://127.0.0.1:$port/"
echo "aot-smoke: passed"
