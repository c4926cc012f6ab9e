/*
 * elf_fixture.c - a real program for test_elf to load, built by test_elf.mk twice:
 * with -DNOLIBC as a minimal static executable (text, rodata, data, bss), and against
 * the host's static C library (many more headers: TLS, RELRO, notes, GNU_STACK).
 * It is never run; test_elf only parses it.
 */
#ifdef NOLIBC
static const char message[] = "loaded";
int counter = 5;
char scratch[8192];

void _start(void);
void _start(void)
{
	scratch[counter] = message[counter];
	for (;;)
		__asm__ volatile("hlt");
}
#else
#include <stdio.h>

int main(void)
{
	puts("loaded");
	return 0;
}
#endif
