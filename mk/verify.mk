# Model checking: the Promela models of models/ checked with spin (docs/verification.md).
#
#   make verify              every model exhaustively (bounded depth), each broken variant
#                            must fail; TAP with state counts (tools/verify.sh)
#   make verify VERIFY_FULL=1  the larger kbus configuration too (about 43 million states, 2.3 GB)
#
# make test runs the same check as the host test host/verify (tools/run-tests.sh).

.PHONY: verify
verify:
	$(Q)tools/deps.sh verify
	$(Q)B=$(B) tools/verify.sh $(if $(VERIFY_FULL),--full)
