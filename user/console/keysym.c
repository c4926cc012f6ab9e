/*
 * keysym.c - the keysym names of Debian's console keymaps (keysym.h): ASCII,
 * Latin-1 and Latin-9 characters by their loadkeys names, the control
 * characters, the dead keys, U+XXXX and numbers, and the names of keys that are
 * not text (function, console, keypad, modifier keys), which kmap.c reads and
 * keeps as KMAP_ACTION.
 */
#include "keysym.h"

#include <string.h>

/* ASCII 0x20..0x7e by code - 0x20; letters are their own names (NULL here). */
static const char *const ascii_names[95] = {
    "space",       "exclam",
    "quotedbl",    "numbersign",
    "dollar",      "percent",
    "ampersand",   "apostrophe",
    "parenleft",   "parenright",
    "asterisk",    "plus",
    "comma",       "minus",
    "period",      "slash",
    "zero",        "one",
    "two",         "three",
    "four",        "five",
    "six",         "seven",
    "eight",       "nine",
    "colon",       "semicolon",
    "less",        "equal",
    "greater",     "question",
    "at",          ['[' - 0x20] = "bracketleft",
    "backslash",   "bracketright",
    "asciicircum", "underscore",
    "grave",       ['{' - 0x20] = "braceleft",
    "bar",         "braceright",
    "asciitilde",
};

/* Latin-1 0xa0..0xff. */
static const char *const latin1_names[96] = {
    "nobreakspace",
    "exclamdown",
    "cent",
    "sterling",
    "currency",
    "yen",
    "brokenbar",
    "section",
    "diaeresis",
    "copyright",
    "ordfeminine",
    "guillemotleft",
    "notsign",
    "hyphen",
    "registered",
    "macron",
    "degree",
    "plusminus",
    "twosuperior",
    "threesuperior",
    "acute",
    "mu",
    "paragraph",
    "periodcentered",
    "cedilla",
    "onesuperior",
    "masculine",
    "guillemotright",
    "onequarter",
    "onehalf",
    "threequarters",
    "questiondown",
    "Agrave",
    "Aacute",
    "Acircumflex",
    "Atilde",
    "Adiaeresis",
    "Aring",
    "AE",
    "Ccedilla",
    "Egrave",
    "Eacute",
    "Ecircumflex",
    "Ediaeresis",
    "Igrave",
    "Iacute",
    "Icircumflex",
    "Idiaeresis",
    "ETH",
    "Ntilde",
    "Ograve",
    "Oacute",
    "Ocircumflex",
    "Otilde",
    "Odiaeresis",
    "multiply",
    "Ooblique",
    "Ugrave",
    "Uacute",
    "Ucircumflex",
    "Udiaeresis",
    "Yacute",
    "THORN",
    "ssharp",
    "agrave",
    "aacute",
    "acircumflex",
    "atilde",
    "adiaeresis",
    "aring",
    "ae",
    "ccedilla",
    "egrave",
    "eacute",
    "ecircumflex",
    "ediaeresis",
    "igrave",
    "iacute",
    "icircumflex",
    "idiaeresis",
    "eth",
    "ntilde",
    "ograve",
    "oacute",
    "ocircumflex",
    "otilde",
    "odiaeresis",
    "division",
    "oslash",
    "ugrave",
    "uacute",
    "ucircumflex",
    "udiaeresis",
    "yacute",
    "thorn",
    "ydiaeresis",
};

/* Other names: Latin-9, synonyms, control characters, dead keys. */
static const struct {
	const char *name;
	uint32_t v; /* an entry (KMAP_CHAR | cp, KMAP_DEAD | accent) */
} other_names[] = {
    {"euro", KMAP_CHAR | 0x20ac},
    {"Euro", KMAP_CHAR | 0x20ac},
    {"EuroSign", KMAP_CHAR | 0x20ac},
    {"Scaron", KMAP_CHAR | 0x160},
    {"scaron", KMAP_CHAR | 0x161},
    {"Zcaron", KMAP_CHAR | 0x17d},
    {"zcaron", KMAP_CHAR | 0x17e},
    {"OE", KMAP_CHAR | 0x152},
    {"oe", KMAP_CHAR | 0x153},
    {"Ydiaeresis", KMAP_CHAR | 0x178},
    {"Oslash", KMAP_CHAR | 0xd8},
    {"Eth", KMAP_CHAR | 0xd0},
    {"Thorn", KMAP_CHAR | 0xde},
    {"quoteright", KMAP_CHAR | 0x27},
    {"quoteleft", KMAP_CHAR | 0x60},
    {"mul", KMAP_CHAR | 0xd7},
    {"tilde", KMAP_CHAR | 0x7e},
    {"dead_grave", KMAP_DEAD | '`'},
    {"dead_acute", KMAP_DEAD | '\''},
    {"dead_circumflex", KMAP_DEAD | '^'},
    {"dead_tilde", KMAP_DEAD | '~'},
    {"dead_diaeresis", KMAP_DEAD | '"'},
    {"dead_cedilla", KMAP_DEAD | ','},
    {"dead_abovering", KMAP_DEAD | 0xb0},
    {"dead_ring", KMAP_DEAD | 0xb0},
    {"dead_caron", KMAP_DEAD | 0x2c7},
    {"nul", KMAP_CHAR | 0},
    {"Escape", KMAP_CHAR | 0x1b},
    {"Delete", KMAP_CHAR | 0x7f},
    {"BackSpace", KMAP_CHAR | 0x08},
    {"Tab", KMAP_CHAR | 0x09},
    {"Linefeed", KMAP_CHAR | 0x0a},
    {"Return", KMAP_ACTION},
    {"Control_backslash", KMAP_CHAR | 0x1c},
    {"Control_bracketright", KMAP_CHAR | 0x1d},
    {"Control_asciicircum", KMAP_CHAR | 0x1e},
    {"Control_underscore", KMAP_CHAR | 0x1f},
    {"Control_bracketleft", KMAP_CHAR | 0x1b},
    {"Control_at", KMAP_CHAR | 0},
};

/* Names of actions (not text): exact, or a prefix ending in '_' or a digit run. */
static const char *const action_names[] = {
    "Shift",
    "ShiftL",
    "ShiftR",
    "Control",
    "CtrlL",
    "CtrlR",
    "Alt",
    "AltGr",
    "CapsShift",
    "Caps_Lock",
    "Caps_On",
    "Num_Lock",
    "Bare_Num_Lock",
    "Scroll_Lock",
    "Show_Registers",
    "Show_Memory",
    "Show_State",
    "Boot",
    "Break",
    "Compose",
    "Incr_Console",
    "Decr_Console",
    "Last_Console",
    "Spawn_Console",
    "KeyboardSignal",
    "Find",
    "Insert",
    "Remove",
    "Select",
    "Prior",
    "Next",
    "PageUp",
    "PageDown",
    "Up",
    "Down",
    "Left",
    "Right",
    "Macro",
    "Help",
    "Do",
    "Home",
    "End",
    "Pause",
    "SAK",
    "Scroll_Forward",
    "Scroll_Backward",
    "Uncaps_Shift",
    "Hex_A",
    "Hex_B",
    "Hex_C",
    "Hex_D",
    "Hex_E",
    "Hex_F",
    "Meta_Control_m",
};
static const char *const action_prefixes[] = {
    "Console_", "KP_",     "Hex_",    "Meta_",  "Ascii_", "AltGr_",   "Alt_",
    "Shift_",   "ShiftL_", "ShiftR_", "CtrlL_", "CtrlR_", "Control_", "Meta_Control_",
};

uint32_t kmap_upper(uint32_t cp)
{
	if ((cp >= 'a' && cp <= 'z') || (cp >= 0xe0 && cp <= 0xfe && cp != 0xf7))
		return cp - 0x20;
	switch (cp) {
	case 0xff:
		return 0x178;
	case 0x161:
	case 0x17e:
	case 0x153:
		return cp - 1;
	default:
		return cp;
	}
}

bool kmap_parse_uint(const char *s, unsigned base, uint32_t *v)
{
	uint32_t n = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return false;
		if (d >= base || n > 0xfffffu)
			return false;
		n = n * base + d;
	}
	*v = n;
	return true;
}

bool kmap_parse_num(const char *s, uint32_t *v)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return kmap_parse_uint(s + 2, 16, v);
	return kmap_parse_uint(s, 10, v);
}

bool kmap_keysym(const char *s, uint32_t *out)
{
	uint32_t v;
	if ((s[0] == 'U' || s[0] == 'u') && s[1] == '+' && s[2]) {
		if (!kmap_parse_uint(s + 2, 16, &v) || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
			return false;
		*out = KMAP_CHAR | v;
		return true;
	}
	if (s[0] >= '0' && s[0] <= '9') { /* a kernel keysym: type << 8 | value */
		if (!kmap_parse_num(s, &v) || v > 0xffff)
			return false;
		if (v < 0x100)
			*out = KMAP_CHAR | v;
		else if (v >> 8 == 0x0b)
			*out = KMAP_CHAR | KMAP_LETTER | (v & 0xff);
		else
			*out = KMAP_ACTION;
		return true;
	}
	if (((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')) && !s[1]) {
		*out = KMAP_CHAR | KMAP_LETTER | (uint32_t)s[0];
		return true;
	}
	if (strcmp(s, "VoidSymbol") == 0) {
		*out = 0;
		return true;
	}
	for (unsigned i = 0; i < 95; i++)
		if (ascii_names[i] && strcmp(s, ascii_names[i]) == 0) {
			*out = KMAP_CHAR | (0x20 + i);
			return true;
		}
	for (unsigned i = 0; i < 96; i++)
		if (strcmp(s, latin1_names[i]) == 0) {
			*out = KMAP_CHAR | (0xa0 + i);
			return true;
		}
	for (size_t i = 0; i < sizeof(other_names) / sizeof(other_names[0]); i++)
		if (strcmp(s, other_names[i].name) == 0) {
			*out = other_names[i].v;
			return true;
		}
	if (strncmp(s, "Control_", 8) == 0 && s[8] >= 'a' && s[8] <= 'z' && !s[9]) {
		*out = KMAP_CHAR | (uint32_t)(s[8] - 'a' + 1);
		return true;
	}
	for (size_t i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++)
		if (strcmp(s, action_names[i]) == 0) {
			*out = KMAP_ACTION;
			return true;
		}
	for (size_t i = 0; i < sizeof(action_prefixes) / sizeof(action_prefixes[0]); i++) {
		size_t n = strlen(action_prefixes[i]);
		if (strncmp(s, action_prefixes[i], n) == 0 && s[n]) {
			*out = KMAP_ACTION;
			return true;
		}
	}
	if (s[0] == 'F' && kmap_parse_uint(s + 1, 10, &v) && v >= 1 && v <= 246) {
		*out = KMAP_ACTION;
		return true;
	}
	return false;
}
