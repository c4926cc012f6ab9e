/*
 * arch/serial.h - the 16550 UART on COM1, the kernel's first console.
 * Polled output, no interrupts; safe to call before anything else is set up.
 */
#pragma once
#include <stddef.h>

void serial_init(void);
void serial_write(const char *s, size_t len);
/* Non-blocking read of one byte; -1 when none is waiting. */
int serial_getc(void);
