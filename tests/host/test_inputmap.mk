# Keycodes, modifiers and the PS/2 byte streams of the input class (shared/inputmap.c).
test_inputmap_SRCS := shared/inputmap.c
