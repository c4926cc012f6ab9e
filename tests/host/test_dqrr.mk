test_dqrr_SRCS := kernel/sched/dqrr.c
