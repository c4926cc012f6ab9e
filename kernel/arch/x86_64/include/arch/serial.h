/*
 * arch/serial.h - the 16550 UART on COM1, the kernel's first console.
 * Polled output, safe to call before anything else is set up; interrupt-driven
 * input once serial_rx_init() has run (bytes go to debuglog_rx(), arch/entry.h).
 */
#pragma once
#include <stddef.h>

void serial_init(void);
/* Write s[0..len), each \n as \r\n (the log's lines). */
void serial_write(const char *s, size_t len);
/* Write s[0..len) as it is (a terminal's own bytes). */
void serial_write_raw(const char *s, size_t len);
/* Route COM1's receive interrupt to the boot CPU (after the IOAPICs are set up). */
void serial_rx_init(void);
/* Non-blocking read of one byte; -1 when none is waiting. */
int serial_getc(void);
