#!/usr/bin/env bash
# DbgPrint/DbgPrintEx/KdPrint read Windows format strings by Windows' rules.
# ndis_dbgprint.ko prints one line per case ("ndis: Tnn <text>"); this
# script holds the text and printk level Windows' rules give for each and
# compares them with the kernel log. Sources of the expected values:
#   [FMT]  "Format Specification Syntax: printf and wprintf Functions"
#          (its "Argument size specification" table): no prefix, l and I32
#          are 32 bits, ll and I64 64, I pointer-sized, h short, hh char;
#          l/w make c and s wide, C and S are wide unless h; Z is an
#          ANSI_STRING, wZ a UNICODE_STRING; '#' prefixes nonzero values;
#          precision 0 with value 0 prints no digits.
#   [DBG]  the DbgPrint/DbgPrintEx pages: at most 512 bytes per call; no
#          floating point; Level 0-31 is one filter bit, larger a mask.
#   [SHIM] the shim's choice (Documentation/porting.rst): wide text as
#          UTF-8, %p hashed as Linux does, printk levels of DbgPrintEx
#          (ERROR 3, WARNING 4, TRACE/INFO 6, others 7; DbgPrint 6), a
#          leading Linux KERN_<LEVEL> wins, the "ndis: " prefix.
# Prints nested KTAP; exits 0 only if every subtest passed (4: skipped).
set -uo pipefail
shim=${NDIS_KO:?}/ndis_shim.ko test_ko=$NDIS_KO/ndis_dbgprint.ko
for ko in "$shim" "$test_ko"; do
	[ -f "$ko" ] || { echo "# SKIP $ko not built"; exit 4; }
done

n=0 failed=0
check() { # DESCRIPTION COMMAND...: one KTAP subtest line
	n=$((n + 1))
	local d=$1
	shift
	if "$@"; then echo "ok $n $d"; else echo "not ok $n $d"; failed=1; fi
}
mark="ndis-test: $$-$(date +%s%N)"
echo "$mark" >/dev/kmsg
# Raw log since the mark: "<level>[time] text" (dmesg -r reads /dev/kmsg).
log_since_mark() { dmesg -r | awk -v m="$mark" 'on; index($0, m) { on = 1 }'; }

long=$(printf 'x%.0s' $(seq 507))
# ID, printk level, exact text after "ndis: ID ", source.
cases=(
	"T01	6	deadbeef|1234	[FMT] l: 32-bit ULONG"
	"T02	6	-5|7	[FMT] l: 32-bit LONG, sign kept"
	"T03	6	4000000000|3	[FMT] l/none: 32-bit unsigned"
	"T04	6	123456789abcdef0|ab	[FMT] I64: 64 bits"
	"T05	6	-1234567890123|-1	[FMT] I64d"
	"T06	6	18446744073709551615|fedcba9876543210	[FMT] ll: 64 bits"
	"T07	6	4294967296|ffffffffff	[FMT] I: pointer-sized (64 on x64)"
	"T08	6	-2|8	[FMT] Id: ptrdiff_t"
	"T09	6	cafe|-9	[FMT] I32: 32 bits"
	"T10	6	9029|65521|abcd	[FMT] h: short"
	"T11	6	-1|ab	[FMT] hh: char"
	"T12	6	wide str|12	[FMT] ws: wide string"
	"T13	6	upper S|ell s	[FMT] S, ls: wide string in printf"
	"T14	6	count|14	[FMT] wZ: UNICODE_STRING, Length bytes"
	"T15	6	ansi|15	[FMT] Z: ANSI_STRING, Length bytes"
	"T16	6	W|x|y|a|b|c	[FMT] C, wc, lc wide; c, hc, hC narrow"
	"T17	6	narrow|h narrow|hS narrow	[FMT] s, hs, hS narrow"
	"T18	6	[    beef][beef    ][0000BEEF]	[FMT] width, '-', '0'"
	"T19	6	[0xbeef][0][010][0XAB]	[FMT] '#': prefix for nonzero only"
	"T20	6	[+5][ 5][007][]	[FMT] '+', ' ', precision; .0 of 0 prints nothing"
	"T21	6	[  42][42  ][pre]	[FMT] '*' width and precision"
	"T22	6	[     right][left  ][an]	[FMT] width and precision of strings"
	"T23	6	(null)|(null)|(null)|(null)	[FMT] NULL strings print (null)"
	"T24	6	é€😀�x	[SHIM] UTF-16 to UTF-8; lone surrogate U+FFFD"
	"T25	6	100%|25	[FMT] %%"
	"T27	6	%f|27|%q	[DBG] no floating point: printed as written, no argument"
	"T28	3	error 28	[SHIM] DPFLTR_ERROR_LEVEL -> KERN_ERR"
	"T29	4	warning	[SHIM] DPFLTR_WARNING_LEVEL -> KERN_WARNING"
	"T30	6	trace	[SHIM] DPFLTR_TRACE_LEVEL -> KERN_INFO"
	"T31	6	info	[SHIM] DPFLTR_INFO_LEVEL -> KERN_INFO"
	"T32	7	level five	[DBG] Level 5 is bit 5 [SHIM] -> KERN_DEBUG"
	"T33	4	mask warning	[DBG] Level > 31 is a mask (0x6: WARNING|TRACE)"
	"T34	3	kern err	[SHIM] a leading KERN_ERR sets the level"
	"T35	6	$long	[DBG] 512 bytes per call: 511 characters and the NUL"
	"T36	6	kd 36|-36	[FMT] KdPrint is DbgPrint in a checked build"
	"T37	3	kdex w	[FMT] KdPrintEx is DbgPrintEx in a checked build"
	"T38	6	returns	[DBG] DbgPrint"
)

echo "KTAP version 1"
echo "1..$((${#cases[@]} + 6))"
check "insmod ndis_shim" insmod "$shim"
check "insmod ndis_dbgprint" insmod "$test_ko"
log=$(log_since_mark)

# Each case's first line, "<level>[time] ndis: ID text", split once with
# bash's own regex: a grep and two seds per case cost over 100 s in the
# TCG guest (each fork about 0.5 s).
declare -A got_level got_text
re='^<([0-9]+)>(\[[^]]*\] ?)?ndis: (T[0-9]+)( (.*))?$'
while IFS= read -r line; do
	[[ $line =~ $re ]] || continue
	id=${BASH_REMATCH[3]}
	[ -n "${got_level[$id]+set}" ] && continue
	got_level[$id]=${BASH_REMATCH[1]} got_text[$id]=${BASH_REMATCH[5]}
done <<<"$log"

for c in "${cases[@]}"; do
	IFS=$'\t' read -r id level want src <<<"$c"
	# /dev/kmsg writes bytes outside printable ASCII, and '\', as \xNN.
	printf -v got '%b' "${got_text[$id]:-}"
	lvl=${got_level[$id]:-}
	if [ "$got" != "$want" ] || [ "$lvl" != "$level" ]; then
		echo "# $id: want <$level>'$want', got <${lvl:-none}>'$got'"
	fi
	check "$id $src" test "$got" = "$want" -a "$lvl" = "$level"
done

# %p: Linux's hashed pointer (16 hex digits), not the raw address unless
# the kernel was booted with no_hash_pointers.
hashed=$(sed -nE 's/^<[0-9]+>(\[[^]]*\] ?)?ndis: T26 //p' <<<"$log" | head -1)
raw=$(sed -nE 's/.*ndis_dbgprint: T26 raw //p' <<<"$log" | head -1)
echo "# T26: %p printed '$hashed', address $raw"
p_hashed() {
	[[ $hashed =~ ^[0-9a-f]{16}$ ]] &&
		{ [ "$hashed" != "$raw" ] || grep -qw no_hash_pointers /proc/cmdline; }
}
check "T26 [SHIM] %p keeps Linux's pointer hashing" p_hashed
check "T38 [DBG] DbgPrint returns STATUS_SUCCESS" grep -q 'ndis_dbgprint: T38 status 0$' <<<"$log"
check "rmmod ndis_dbgprint" rmmod ndis_dbgprint
check "rmmod ndis_shim" rmmod ndis_shim
exit "$failed"
