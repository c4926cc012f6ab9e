# Namespace URIs and paths: the grammar table, limits, and a 200,000-input mutation fuzz.
test_uri_SRCS := shared/ns_uri.c
test_uri_CFLAGS := -Ishared/include
