/*
 * rngserve.h - the driver side of the rng class (abi/dev/rng.h): the call loop
 * every rng driver shares. The driver gives a fill operation; the server checks
 * each RNG_MSG_READ (len 1..RNG_READ_MAX, reserved 0: else ERR_INVALID_ARGS;
 * any other message ERR_MALFORMED, handles dropped) and answers the bytes fill
 * produced (at least one) or its error.
 */
#pragma once
#include <stdint.h>

#include <abi/dev/rng.h>
#include <abi/handle.h>

struct rng_server {
	handle_t ep, client_ep;
	/* Fill buf with up to len (>= 1) hardware random bytes: how many (>= 1), or ERR_*. */
	long (*fill)(void *drv, uint8_t *buf, uint32_t len);
	void *drv;
};

/* The channel for clients (from "pool"), then binds dev:///rng/<name> (type
 * dev.rng) and reports to a waiting spawner (ch_dev_ready). */
long rng_serve_bind(struct rng_server *srv, const char *name);

/* Serves calls until an error of our endpoint (returned). */
long rng_serve_run(struct rng_server *srv);
