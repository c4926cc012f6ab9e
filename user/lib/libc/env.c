/*
 * env.c - the environment: getenv, setenv, unsetenv over the environ array.
 *
 * environ starts as the envp array the spawner placed in our initial memory; the first
 * change copies it into a malloc'd array that we then own and grow. Strings created by
 * setenv are malloc'd and remembered in `owned`, so replacing or removing them frees
 * them; strings that came from the spawner are never freed. Not thread-safe.
 */
#include <stdlib.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>

char **environ;

static char **own_array; /* environ, once we own it */
static size_t env_cap; /* slots in own_array, including the NULL */
static char **owned; /* strings we allocated */
static size_t n_owned, owned_cap;

static size_t env_count(void)
{
	size_t n = 0;

	while (environ && environ[n])
		n++;
	return n;
}

/* Index of name in environ, or -1. */
static long env_find(const char *name, size_t len)
{
	for (size_t i = 0; environ && environ[i]; i++) {
		if (!strncmp(environ[i], name, len) && environ[i][len] == '=')
			return (long)i;
	}
	return -1;
}

static bool valid_name(const char *name)
{
	return name && *name && !strchr(name, '=');
}

/* Free s if setenv made it. */
static void drop_string(char *s)
{
	for (size_t i = 0; i < n_owned; i++) {
		if (owned[i] == s) {
			owned[i] = owned[--n_owned];
			free(s);
			return;
		}
	}
}

/* Make sure environ is our array with room for one more entry. */
static int env_reserve(void)
{
	size_t n = env_count();

	if (environ == own_array && n + 2 <= env_cap)
		return 0;
	size_t cap = (n + 2) * 2;
	char **a = malloc(cap * sizeof(*a));
	if (!a)
		return -1;
	if (n)
		memcpy(a, environ, n * sizeof(*a));
	a[n] = NULL;
	if (environ == own_array)
		free(own_array);
	environ = own_array = a;
	env_cap = cap;
	return 0;
}

char *getenv(const char *name)
{
	size_t len = strlen(name);
	long i = env_find(name, len);

	return i < 0 ? NULL : environ[i] + len + 1;
}

int setenv(const char *name, const char *value, int overwrite)
{
	if (!valid_name(name)) {
		errno = EINVAL;
		return -1;
	}
	size_t len = strlen(name), vlen = strlen(value);
	long i = env_find(name, len);
	if (i >= 0 && !overwrite)
		return 0;
	if (n_owned == owned_cap) {
		size_t cap = owned_cap ? owned_cap * 2 : 8;
		char **o = realloc(owned, cap * sizeof(*o));
		if (!o)
			return -1;
		owned = o;
		owned_cap = cap;
	}
	if (env_reserve() < 0)
		return -1;
	char *s = malloc(len + vlen + 2);
	if (!s)
		return -1;
	memcpy(s, name, len);
	s[len] = '=';
	memcpy(s + len + 1, value, vlen + 1);
	owned[n_owned++] = s;
	if (i >= 0) {
		drop_string(environ[i]);
		environ[i] = s;
	} else {
		size_t n = env_count();
		environ[n] = s;
		environ[n + 1] = NULL;
	}
	return 0;
}

int unsetenv(const char *name)
{
	if (!valid_name(name)) {
		errno = EINVAL;
		return -1;
	}
	size_t len = strlen(name);
	long i;
	while ((i = env_find(name, len)) >= 0) {
		if (env_reserve() < 0) /* we may not write the spawner's array */
			return -1;
		drop_string(environ[i]);
		for (size_t j = (size_t)i; environ[j]; j++)
			environ[j] = environ[j + 1];
	}
	return 0;
}
