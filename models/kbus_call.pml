/*
 * kbus_call.pml - the kbus call/reply protocol (kernel/kbus/call.c,
 * kernel/kbus/channel.c), checked with spin: tools/verify.sh, make verify.
 * docs/verification.md maps every variable below to the code it stands for.
 *
 * One server endpoint (dst) with its queue, NC callers making CALLS calls
 * each, NS server threads receiving (slow kbus_recv, or kbus_reply_recv_fast
 * parking as a fast waiter) and answering (kbus_reply_run, answer_fast, the
 * flat path's flat_reply_recv), one closer (endpoint_close: the last
 * capability to dst revoked or dropped), caller timeouts/kills (wait_reply's
 * abandon) and server kills (kbus_thread_exit). Every section the kernel runs
 * under the channel lock is one atomic step here.
 *
 * Invariants (asserts, plus spin's invalid-end-state check):
 *   - no use after free of a call record: every touch of a record through a
 *     pointer (pending, a queued message's call, the outstanding list) finds
 *     it alive and of the same call (TOUCH), and no such pointer is left when
 *     the caller returns and its frame dies (caller_return);
 *   - every call ends exactly once (FINISH asserts the call was still waiting);
 *   - no reply to the wrong caller: a reply carries the request it answers
 *     (ghost req_from/req_gen), the caller checks it is its own current call;
 *   - no lost reply and no hang: every run ends with every process at its end
 *     (the closer always runs eventually, as a server process's death does),
 *     so a call that nobody will end is an invalid end state.
 *
 * Broken variants (each must make spin report an error):
 *   BROKEN_ABANDON  abandon() leaves the server's pending pointer to the
 *                   caller's record (the record dies with the caller's frame)
 *   BROKEN_DROP     kbus_drop_pending() unlinks the replaced call but does not
 *                   finish it (its caller never wakes)
 *   BROKEN_CLOSE    kbus_calls_close() (the endpoint closed: its last capability
 *                   revoked during the call) fails the call but leaves the
 *                   server's pending pointer to it
 */
#define NC 2        /* callers */
#define NS 2        /* server threads */
#define CALLS 2     /* most calls per caller: the same stack record reused */
#ifndef CALLS1
#define CALLS1 1    /* calls of caller 1 (caller 0 makes CALLS) */
#endif
#define NM (NC * CALLS) /* messages: one per call */
#define NONE 255
#define ABANDONED (NC + 1) /* pending: 0 NULL, c+1 caller c's record */

#define WAITING 0
#define DONE 1
#define CLOSED 2

/* struct kbus_call, one per caller (its stack frame) */
byte cstate[NC];     /* call->state */
bool alive[NC];     /* ghost: the frame holding the record exists */
byte gen[NC];       /* ghost: which call of this caller the record holds */
byte msg[NC];       /* call->msg: the queued message (NONE: NULL) */
byte server[NC];    /* call->server: s+1, 0 NULL */
bool linked[NC];    /* on dst->calls (link_call/unlink_call) */
byte reply_to[NC];  /* ghost: the request (caller) the reply answers */
byte reply_gen[NC]; /* ghost: ... and which of its calls */

/* struct kbus_kmsg of a call, by message id c*CALLS+gen-1 */
byte mcall[NM];     /* m->call: c+1, 0 NULL (orphaned by abandon) */

/* struct thread's kbus part, one per server thread */
byte pending[NS];   /* kbus.pending: 0 NULL, c+1, ABANDONED */
byte pgen[NS];      /* ghost: the call pending was set for */
bool parked[NS];    /* fw on dst->fast_waiter (park_waiter/unpark) */
bool got[NS];       /* fw.got: a call was handed over */
byte req_from[NS];  /* ghost: the request words it received (caller) */
byte req_gen[NS];   /* ghost: ... and which call */

chan q = [NM] of { byte }; /* dst->head..tail: message ids */
bool closed;        /* dst->closed */
byte give_ups = 1;  /* caller timeouts/kills left (bound) */
byte kills = 1;     /* server kills left (bound) */

#define TOUCH(c, g) assert(alive[c] && gen[c] == (g))
#define FINISH(c, st) assert(cstate[c] == WAITING); cstate[c] = st

/* kbus_drop_pending(t): the reply slot empties; a real call fails (CALL_CLOSED) */
#ifdef BROKEN_DROP
#define DROP_FINISH(c)
#else
#define DROP_FINISH(c) FINISH(c, CLOSED)
#endif
inline drop_pending(s) {
	atomic {
		if
		:: pending[s] != 0 && pending[s] != ABANDONED ->
			TOUCH(pending[s] - 1, pgen[s]);
			assert(linked[pending[s] - 1]);
			linked[pending[s] - 1] = 0;
			DROP_FINISH(pending[s] - 1)
		:: else -> skip
		fi;
		pending[s] = 0; pgen[s] = 0; req_from[s] = 0; req_gen[s] = 0
	}
}

/* take_call(dst, m->call) under the lock: s becomes the answerer */
inline take_msg(s, m) {
	assert(pending[s] == 0);
	req_from[s] = m / CALLS; /* the words: who sent it */
	req_gen[s] = m % CALLS + 1;
	if
	:: mcall[m] != 0 ->
		TOUCH(mcall[m] - 1, m % CALLS + 1);
		pending[s] = mcall[m];
		pgen[s] = m % CALLS + 1;
		msg[mcall[m] - 1] = NONE;
		server[mcall[m] - 1] = s + 1;
		linked[mcall[m] - 1] = 1;
		mcall[m] = 0
	:: else -> pending[s] = ABANDONED
	fi
}

/* answered()/answer_fast() under the lock: the reply is in place, the call DONE */
inline answer(s) {
	if
	:: pending[s] != ABANDONED ->
		TOUCH(pending[s] - 1, pgen[s]);
		reply_to[pending[s] - 1] = req_from[s];
		reply_gen[pending[s] - 1] = req_gen[s];
		assert(linked[pending[s] - 1]);
		linked[pending[s] - 1] = 0;
		FINISH(pending[s] - 1, DONE)
	:: else -> skip /* ERR_PEER_CLOSED to the server */
	fi;
	pending[s] = 0; pgen[s] = 0; req_from[s] = 0; req_gen[s] = 0
}

/* abandon(dst, call): the caller gives up (wait_reply: kill or timeout) */
inline abandon(c) {
	cstate[c] = CLOSED;
	if
	:: msg[c] != NONE -> mcall[msg[c]] = 0; msg[c] = NONE
	:: else ->
		if
		:: server[c] != 0 ->
#ifndef BROKEN_ABANDON
			if
			:: pending[server[c] - 1] == c + 1 -> pending[server[c] - 1] = ABANDONED
			:: else -> skip
			fi;
#endif
			linked[c] = 0
		:: else -> skip
		fi
	fi
}

proctype caller(byte c; byte ncalls) {
	byte n, s, m;
	bool fast;
	for (n : 1 .. ncalls) {
		/* struct kbus_call call = {...} on the stack */
		atomic {
			alive[c] = 1; gen[c] = n; cstate[c] = WAITING;
			server[c] = 0; msg[c] = NONE; reply_to[c] = NONE; linked[c] = 0
		}
		m = c * CALLS + n - 1;
		/* kbus_call_fast / kbus_kernel_call_msg try fast_handoff (the flat
		   path's flat_call is the same step); kbus_call always queues */
		if
		:: fast = 1
		:: fast = 0
		fi;
		atomic {
			s = NONE;
			if
			:: fast && len(q) == 0 && !closed ->
				if
				:: parked[0] && pending[0] == 0 -> s = 0
				:: parked[1] && pending[1] == 0 -> s = 1
				:: else -> skip
				fi
			:: else -> skip
			fi;
			if
			:: s != NONE -> /* fast_handoff: take_first_waiter, got, pending */
				parked[s] = 0; got[s] = 1;
				req_from[s] = c; req_gen[s] = n;
				pending[s] = c + 1; pgen[s] = n;
				server[c] = s + 1; linked[c] = 1
			:: s == NONE && closed -> /* kbus_commit: ERR_PEER_CLOSED */
				cstate[c] = CLOSED
			:: s == NONE && !closed -> /* kbus_post */
				mcall[m] = c + 1; msg[c] = m; q!m
			fi
		}
		/* wait_reply */
		do
		:: atomic { cstate[c] != WAITING -> break }
		:: atomic { cstate[c] == WAITING && give_ups > 0 -> give_ups--; abandon(c); break }
		od;
		atomic {
			if
			:: cstate[c] == DONE -> assert(reply_to[c] == c && reply_gen[c] == n)
			:: else -> skip /* ERR_PEER_CLOSED / ERR_TIMED_OUT / ERR_INTERRUPTED */
			fi;
			/* return: the frame (and the record) dies; nothing may point at it */
			assert(msg[c] == NONE && !linked[c]);
			assert(!(pending[0] == c + 1 && pgen[0] == n));
			assert(!(pending[1] == c + 1 && pgen[1] == n));
			alive[c] = 0; cstate[c] = 0; server[c] = 0; reply_to[c] = 0; reply_gen[c] = 0;
			s = 0; m = 0; fast = 0
		}
	}
}

proctype srv(byte s) {
	byte m;
	bool fastrecv, fl;
loop:
	fastrecv = 0; fl = 0;
	/* answer the pending call, or not (the next receive replaces it), or die */
	if
	:: pending[s] != 0 ->
		if
		:: true -> /* kbus_reply_run: checks ABANDONED, builds the reply, then locks */
			if
			:: atomic { pending[s] == ABANDONED -> skip }; drop_pending(s)
			:: atomic { pending[s] != ABANDONED -> skip }; atomic { answer(s) }
			fi
		:: true -> /* flat_reply_recv: reply and park in one pass, when nothing is in the way */
			atomic {
				if
				:: pending[s] != ABANDONED && len(q) == 0 && !closed ->
					answer(s); parked[s] = 1; got[s] = 0; fl = 1
				:: else -> fl = 0 /* the C path runs it */
				fi
			}
			if
			:: fl -> goto wait
			:: else -> skip
			fi
		:: skip /* no reply: the receive empties the slot */
		:: atomic { kills > 0 -> kills-- }; goto die
		fi
	:: else -> skip
	fi;
	if
	:: fastrecv = 1
	:: fastrecv = 0
	fi;
	/* kbus_reply_recv_fast empties the reply slot first; kbus_recv keeps it
	   while it waits. Both empty it before taking a queued call. */
	if
	:: fastrecv && pending[s] != 0 -> drop_pending(s)
	:: else -> skip
	fi;
recv:
	atomic {
		if
		:: len(q) > 0 && pending[s] != 0 -> goto redrop /* unlocked, then retried */
		:: len(q) > 0 && pending[s] == 0 ->
			q?m;
			if
			:: fastrecv -> take_msg(s, m); m = 0; goto loop /* take_queued */
			:: else -> skip /* kbus_recv: dequeued, delivered unlocked */
			fi
		:: len(q) == 0 && closed -> goto die /* ERR_INTERRUPTED */
		:: len(q) == 0 && !closed && fastrecv -> parked[s] = 1; got[s] = 0; goto wait
		:: len(q) == 0 && !closed && !fastrecv -> goto recv_block
		fi
	}
	atomic { take_msg(s, m); m = 0; goto loop } /* relocked: kbus_call_received */
redrop:
	drop_pending(s);
	goto recv;
recv_block:
	if
	:: atomic { len(q) > 0 || closed -> goto recv }
	:: atomic { len(q) == 0 && !closed && kills > 0 -> kills--; goto die } /* killed waiting */
	fi;
wait:
	skip;
	/* parked: a handoff (got), the close, or a kill wakes it */
	if
	:: atomic { got[s] -> goto loop }
	:: atomic { !got[s] && closed -> parked[s] = 0; goto die }
	:: atomic { !got[s] && kills > 0 -> kills--; parked[s] = 0; goto die }
	fi;
die:
	skip;
	drop_pending(s); /* kbus_thread_exit */
	parked[s] = 0
}

/* endpoint_close(dst): orphan() the queued calls, kbus_calls_close(), wake the parked */
proctype closer() {
	byte m, c;
	atomic {
		closed = 1;
		do
		:: q?m ->
			if
			:: mcall[m] != 0 ->
				c = mcall[m] - 1;
				TOUCH(c, m % CALLS + 1);
				msg[c] = NONE; FINISH(c, CLOSED); mcall[m] = 0
			:: else -> skip
			fi
		:: empty(q) -> break
		od;
		for (c : 0 .. NC - 1) {
			if
			:: linked[c] ->
				assert(alive[c]);
#ifndef BROKEN_CLOSE
				if
				:: pending[server[c] - 1] == c + 1 -> pending[server[c] - 1] = ABANDONED
				:: else -> skip
				fi;
#endif
				FINISH(c, CLOSED);
				linked[c] = 0
			:: else -> skip
			fi
		}
	}
}

init {
	atomic {
		run caller(0, CALLS); run caller(1, CALLS1);
		run srv(0); run srv(1);
		run closer()
	}
}
