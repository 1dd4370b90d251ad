#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rooms.sh [MODDIR]: which rooms of kmod/ call which, measured on the built
# objects (nm: each object's undefined symbols against the symbols the
# other rooms define). Prints the table of issue 11 (distinct functions
# called from the row's room into the column's), the cycles between rooms,
# and every function called from outside kmod/vmx/ that kmod/vmx/vmx.h (the
# backend API) does not declare. Exit status 1 if there is a cycle or such
# a call. MODDIR defaults to build/kmod (make modules).
#
# A room is a folder: kmod/*.o is the core, kmod/<room>/*.o the others;
# kmod/main.o (module init/exit, which calls every room's init) is the
# room "module", on top of all.
# Tracepoint plumbing (__tracepoint_*, static-call keys) is not counted:
# kmod/trace.h is a facility every room writes to, not a call.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
moddir=${1:-$top/build/kmod}
cd "$moddir"
ls kmod/*.o >/dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The objects Kbuild links (a stale object of a moved file does not count).
for o in $(grep -o 'kmod/[a-z0-9_/]*\.o' "$top/Kbuild"); do
	case $o in
	kmod/*/*.o) room=${o#kmod/}; room=${room%%/*} ;;
	kmod/main.o) room=module ;;
	*) room=core ;;
	esac
	nm "$o" | awk -v room="$room" -v out="$tmp" '
		/__tracepoint_|__SCK__tp_|__SCT__tp_|__traceiter_/ { next }
		$1 == "U" { print room, $2 >> (out "/undef") ; next }
		NF == 3 && $2 ~ /^[TDBR]$/ { print room, $3 >> (out "/def") }'
done

# from to symbol, one line per distinct call across rooms
awk 'NR == FNR { def[$2] = $1; next }
     ($2 in def) && def[$2] != $1 { print $1, def[$2], $2 }' \
	"$tmp/def" "$tmp/undef" | sort -u >"$tmp/calls"

rooms="module core vmx ept base sched apic hypercall vmbus"
printf '| from \\ to |'
for c in $rooms; do printf ' %s |' "$c"; done
printf '\n|---|'
for c in $rooms; do printf -- '---|'; done
printf '\n'
for r in $rooms; do
	printf '| %s |' "$r"
	for c in $rooms; do
		n=$(awk -v r="$r" -v c="$c" '$1 == r && $2 == c' "$tmp/calls" | wc -l)
		[ "$r" = "$c" ] && n=-
		[ "$n" = 0 ] && n=.
		printf ' %s |' "$n"
	done
	printf '\n'
done

status=0
printf '\ncycles:'
awk '{ e[$1 " " $2] = 1 }
     END { for (k in e) { split(k, p, " ");
		if (p[1] < p[2] && ((p[2] " " p[1]) in e)) print p[1] "<->" p[2] } }' \
	"$tmp/calls" | sort >"$tmp/cycles"
if [ -s "$tmp/cycles" ]; then
	tr '\n' ' ' <"$tmp/cycles"; status=1
else
	printf ' none'
fi
printf '\n'

printf 'calls into kmod/vmx/ that vmx/vmx.h does not declare:'
n=0
for s in $(awk '$2 == "vmx" && $1 != "vmx" { print $3 }' "$tmp/calls" | sort -u); do
	if ! grep -qw "$s" "$top/kmod/vmx/vmx.h"; then
		printf ' %s' "$s"; n=$((n + 1))
	fi
done
[ "$n" = 0 ] && printf ' none'
[ "$n" = 0 ] || status=1
printf '\n'

if [ -n "$ROOMS_VERBOSE" ]; then
	printf '\n'
	cat "$tmp/calls"
fi
exit $status
