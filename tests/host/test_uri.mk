# Namespace URIs and paths: the grammar table, limits, and a 200,000-input mutation fuzz.
test_uri_SRCS := nsdraft/uri.c
test_uri_CFLAGS := -I/tmp/nsinc -Insdraft
