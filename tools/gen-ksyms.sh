#!/bin/sh
# gen-ksyms.sh <kernel.elf|-> - emit the .ksyms assembly for the second link
# pass: text symbols sorted by address ("-" = an empty table for pass one).
set -e
echo '	.section .ksyms, "a"'
echo '	.balign 8'
if [ "$1" = "-" ]; then syms=""; else
	syms=$(nm -n "$1" | awk '$2 ~ /^[tTwW]$/ && $3 !~ /^(isr_[0-9]+|\.)/ {print $1, $3}')
fi
n=$(printf '%s' "$syms" | grep -c . || true)
echo "	.globl ksyms_count"
echo "ksyms_count: .quad $n"
echo "	.globl ksyms_addrs"
echo "ksyms_addrs:"
printf '%s\n' "$syms" | awk 'NF==2 {print "\t.quad 0x" $1}'
echo "	.globl ksyms_name_offsets"
echo "ksyms_name_offsets:"
printf '%s\n' "$syms" | awk 'BEGIN{o=0} NF==2 {print "\t.long " o; o += length($2) + 1}'
echo "	.globl ksyms_names"
echo "ksyms_names:"
printf '%s\n' "$syms" | awk 'NF==2 {print "\t.asciz \"" $2 "\""}'
