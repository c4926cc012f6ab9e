/*
 * inputserve.h - the driver side of the input class (abi/dev/input.h): every
 * input driver serves its clients through this and only turns device bytes
 * into events (shared/inputmap.h).
 *
 * The driver owns the loop and its waitset, in which a server watches its
 * endpoint (INFO and OPEN calls) and each session's endpoint (the client going
 * away) under keys key_base .. key_base + INPUT_MAX_SESSIONS; the driver hands
 * every waitset event to input_serve_handle, which serves the server's own.
 * One driver may serve several devices (PS/2: kbd0 and mouse0) in one loop.
 * A session is one ring of struct input_event in memory from the driver's
 * pool (the client gets a derived capability it cannot shrink or revoke);
 * input_serve_event copies an event into every session and notifies. A full
 * ring drops the event and counts it in the next one's `dropped`; a client
 * that breaks its ring (a cons word beyond prod) loses its session.
 * Memory: at most INPUT_MAX_SESSIONS sessions of at most DEV_RING_MAX events.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <abi/dev/input.h>
#include <abi/handle.h>
#include <abi/kbus.h>
#include <shared/devring.h>

struct input_serve_sess {
	bool used, notify;
	handle_t ep, mem;
	uint8_t *base;
	uint64_t map_size;
	struct devring ring;
	uint16_t dropped;
};

struct input_server {
	struct input_info_reply info;
	handle_t ep, client_ep, ws, pool, as;
	uint64_t key_base;
	uint16_t modifiers; /* the driver's current modifiers, stamped on each event */
	struct input_serve_sess sess[INPUT_MAX_SESSIONS];
};

/* Sets srv up (a channel for clients, from "pool"; watched in ws under the
 * keys from key_base) with the device's caps (INPUT_CAP_*), model and
 * absolute range. */
long input_serve_init(struct input_server *srv, handle_t ws, uint64_t key_base, uint32_t caps,
                      const char *model, uint32_t abs_max_x, uint32_t abs_max_y);

/* Binds the client end as dev:///input/<name> (type dev.input); then the
 * driver reports to its spawner (charlotte/devcall.h's ch_dev_ready). */
long input_serve_bind(struct input_server *srv, const char *name);

/* Serves ev if it is one of srv's keys (a call, a client leaving): true; else
 * false (the driver's). */
bool input_serve_handle(struct input_server *srv, const struct kbus_event *ev);

/* Sends one event (time stamped now, srv->modifiers) to every session. */
void input_serve_event(struct input_server *srv, uint16_t type, uint16_t code, int32_t value,
                       uint32_t scancode);

/* Tells the sessions that got events since the last flush (one notification each). */
void input_serve_flush(struct input_server *srv);
