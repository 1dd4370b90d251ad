#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hvtbctl run in the test VM: a multiboot guest prints through COM1 and ends
# through the exit port; bad arguments and files fail with the documented
# status. KTAP output.

demo=${HVTB_DEMO:-/usr/share/hvtb/hello.elf}
n=0
fails=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		fails=$((fails + 1))
	fi
}

echo "TAP version 13"
echo "1..5"
if [ ! -e /dev/hvtb ] || [ ! -r "$demo" ]; then
	for t in multiboot_hello exit_status missing_file bad_option bad_mem; do
		n=$((n + 1))
		echo "ok $n $t # SKIP no /dev/hvtb or no $demo"
	done
	exit 0
fi

out=$(hvtbctl run --timeout 60 "$demo" 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
echo "$out" | grep -q "Hello from an hvtb child partition: multiboot OK"
ok $? multiboot_hello
ok $rc exit_status

hvtbctl run /nonexistent.elf >/dev/null 2>&1
[ $? = 1 ]
ok $? missing_file

hvtbctl run --bogus "$demo" >/dev/null 2>&1
[ $? = 2 ]
ok $? bad_option

hvtbctl run --mem 0 "$demo" >/dev/null 2>&1
[ $? = 2 ]
ok $? bad_mem

[ "$fails" = 0 ]
