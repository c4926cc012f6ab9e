# URIs and plain paths (shared/ns_uri.c): every successful parse keeps ns_uri.h's promises.
fuzz_uri_SRCS := shared/ns_uri.c
