/*
 * cap_revoke.pml - capability derivation and revocation with capabilities in
 * flight (kernel/cap/derive.c, kernel/kbus/transfer.c), checked with spin:
 * tools/verify.sh, make verify. docs/verification.md maps every variable
 * below to the code it stands for.
 *
 * The forest: R (a root in the owner's cspace A), X = derive(R) (the one
 * revoked), Y = derive(X) (the one sent). A sender sends Y by move (cap_move
 * into the endpoint's transit cspace) or by copy (cap_copy_to: a new child of
 * Y in transit), then perhaps drops its Y (cap_drop: Y's children spliced to
 * X). A receiver moves it out of transit into cspace B (kbus_transfer_out:
 * HANDLE_INVALID if revoked in flight), or the message is dropped undelivered
 * (kbus_transfer_drop), and derives from what it got. A deriver in A derives
 * from Y meanwhile (cap_new_from: looked up, then revalidated under the tree
 * lock). The revoker revokes X (cap_revoke) one revoke_batch step at a time
 * (every batch boundary: the finest interleaving of any CAP_REVOKE_BATCH).
 * Every change to the forest is one atomic step (cap_tree_lock).
 *
 * Invariant: once cap_revoke(X) has returned its count, no live capability
 * was derived (directly or through any chain, ghost `anc`) from X: none in A,
 * none in transit, none in B, whatever was in flight (asserted after every
 * step by the monitor and at delivery).
 *
 * Broken variants (each must make spin report an error):
 *   BROKEN_DETACH      a capability moved into transit leaves the derivation
 *                      forest (sent as a fresh root, as in systems that copy
 *                      rights into messages): revoking X misses it in flight
 *   BROKEN_REVALIDATE  cap_new_from does not look its source up again under
 *                      the tree lock: a derive racing the revoke hangs a child
 *                      under a capability the revoke already removed
 */
#define N 8        /* capability nodes */
#define NIL 255
#define R 0
#define X 1
#define Y 2

#define FREE 0
#define CS_A 1     /* the owner's and sender's cspace */
#define TRANSIT 2  /* the receiving endpoint's transit cspace */
#define CS_B 3     /* the receiver's cspace */

byte where[N];   /* which cspace slot holds the node (FREE: none, freed) */
byte parent[N];  /* cap->parent (NIL: a root) */
bool doomed[N];  /* cap->doomed */
byte anc[N];     /* ghost: bit i set when derived from node i, through any chain */
bool revoked;    /* ghost: cap_revoke(X) returned a count */
byte msgcap = NIL; /* the message's transit handle (msg->handles[0]) */
bool sent;       /* the message was posted */

#define BIT(i) (1 << (i))
#define LIVE_BELOW_X(i) (where[i] != FREE && (anc[i] & BIT(X)))
#define SURVIVOR (LIVE_BELOW_X(0) || LIVE_BELOW_X(1) || LIVE_BELOW_X(2) || LIVE_BELOW_X(3) || \
                  LIVE_BELOW_X(4) || LIVE_BELOW_X(5) || LIVE_BELOW_X(6) || LIVE_BELOW_X(7))

/* Tree lock held: a new node, child of p, in cspace w (cap_new_from after its checks) */
inline new_child(p, w, out) {
	out = NIL;
	for (i : 0 .. N - 1) {
		if
		:: out == NIL && where[i] == FREE && anc[i] == 0 && i > Y -> out = i
		:: else -> skip
		fi
	}
	assert(out != NIL); /* the bound N suffices */
	where[out] = w;
	parent[out] = p;
	anc[out] = anc[p] | BIT(p)
}

/* cap_new_from: lookup (cspace lock only), then revalidate under the tree lock */
inline derive(src, w, out) {
	out = NIL;
	if
	:: atomic { where[src] == FREE -> skip } /* cap_lookup: ERR_BAD_HANDLE */
	:: atomic { where[src] != FREE -> skip }; /* cap_lookup found it; allocation */
		atomic {
#ifdef BROKEN_REVALIDATE
			new_child(src, w, out)
#else
			if
			:: where[src] != FREE && !doomed[src] -> new_child(src, w, out)
			:: else -> skip /* ERR_BAD_HANDLE: dropped or revoked since, or doomed */
			fi
#endif
		}
	fi
}

/* cap_drop: a node goes, its children spliced into its parent */
inline drop(c) {
	atomic {
		if
		:: where[c] != FREE ->
			for (i : 0 .. N - 1) {
				if
				:: where[i] != FREE && parent[i] == c -> parent[i] = parent[c]
				:: else -> skip
				fi
			}
			where[c] = FREE; parent[c] = NIL; doomed[c] = 0
		:: else -> skip
		fi
	}
}

proctype sender() {
	byte i, out;
	bool copy;
	if
	:: copy = 1
	:: copy = 0
	fi;
	atomic {
		/* kbus_transfer_in (decode, then the move or copy under the tree lock) */
		if
		:: where[Y] == CS_A && copy && !doomed[Y] -> new_child(Y, TRANSIT, out); msgcap = out; sent = 1
		:: where[Y] == CS_A && !copy ->
			where[Y] = TRANSIT; msgcap = Y; sent = 1;
#ifdef BROKEN_DETACH
			parent[Y] = NIL /* out of the forest (anc, the history, stays) */
#endif
		:: else -> skip /* ERR_BAD_HANDLE: revoked before it was sent */
		fi
	}
	/* the sender lets its own copy go */
	if
	:: copy -> drop(Y)
	:: true -> skip
	fi
}

proctype receiver() {
	byte i, out, got = NIL;
end_wait: /* nothing was sent: the sender's capability was revoked first */
	atomic { sent -> skip };
	if
	:: atomic {
		/* kbus_transfer_out: cap_move(transit -> B); ERR_BAD_HANDLE: HANDLE_INVALID */
		if
		:: where[msgcap] == TRANSIT -> where[msgcap] = CS_B; got = msgcap
		:: else -> skip /* revoked in flight */
		fi;
		assert(!(revoked && got != NIL && (anc[got] & BIT(X))))
	   };
		if
		:: got != NIL -> derive(got, CS_B, out)
		:: true -> skip
		fi
	:: true -> /* the message dropped undelivered: kbus_transfer_drop */
		atomic {
			if
			:: where[msgcap] == TRANSIT -> drop(msgcap)
			:: else -> skip
			fi
		}
	fi
}

/* cap_derive (a child of Y) or cap_duplicate (a sibling: Y's parent, Y's ancestors) */
proctype deriver() {
	byte i, out;
	if
	:: derive(Y, CS_A, out)
	:: atomic { where[Y] == FREE -> skip } /* cap_lookup: ERR_BAD_HANDLE */
	:: atomic { where[Y] != FREE -> skip }; /* found; then under the tree lock: */
		atomic {
			if
			:: where[Y] != FREE && !doomed[Y] && parent[Y] != NIL && !doomed[parent[Y]] ->
				new_child(parent[Y], CS_A, out); anc[out] = anc[Y]
			:: else -> skip /* ERR_BAD_HANDLE: gone, or a revoke reached it */
			fi
		}
	fi
}

/* cap_revoke(A, X): revoke_batch, one step per tree-lock hold */
proctype revoker() {
	byte i, c, k;
	do
	:: atomic {
		if
		:: where[X] == FREE -> break /* ERR_BAD_HANDLE: X itself gone, no guarantee */
		:: else -> skip
		fi;
		c = NIL;
		for (i : 0 .. N - 1) {
			if
			:: c == NIL && where[i] != FREE && parent[i] == X -> c = i
			:: else -> skip
			fi
		}
		if
		:: c == NIL -> revoked = 1; break /* done: the count returned */
		:: else -> skip
		fi;
		doomed[c] = 1;
		k = NIL;
		for (i : 0 .. N - 1) {
			if
			:: k == NIL && where[i] != FREE && parent[i] == c -> k = i
			:: else -> skip
			fi
		}
		if
		:: k != NIL -> parent[k] = X; doomed[k] = 1 /* lift k to X's level */
		:: else -> where[c] = FREE; parent[c] = NIL; doomed[c] = 0 /* a leaf: removed */
		fi;
		c = NIL; k = NIL; i = 0
	   }
	od
}

/* after every step: no capability survives the revocation of its ancestor X */
proctype monitor() {
end_mon:
	atomic { revoked && SURVIVOR -> assert(false) }
}

init {
	atomic {
		where[R] = CS_A; parent[R] = NIL; anc[R] = 0;
		where[X] = CS_A; parent[X] = R; anc[X] = BIT(R);
		where[Y] = CS_A; parent[Y] = X; anc[Y] = BIT(R) | BIT(X);
		run sender(); run receiver(); run deriver(); run revoker(); run monitor()
	}
}
