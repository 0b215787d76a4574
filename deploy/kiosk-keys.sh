#!/bin/sh
# Lock the console keyboard down for the kiosk: no switching to another
# virtual terminal with Alt+Fn / Ctrl+Alt+Fn / Alt+arrows, and no SysRq.
# Run as root before the till starts (the unit's ExecStartPre does).
set -eu
if command -v dumpkeys >/dev/null 2>&1 && command -v loadkeys >/dev/null 2>&1; then
  dumpkeys --keys-only |
    sed -E 's/(Incr_Console|Decr_Console|Last_Console|Console_[0-9]+)/VoidSymbol/g' |
    loadkeys --quiet -
fi
sysctl -q -w kernel.sysrq=0 || true
