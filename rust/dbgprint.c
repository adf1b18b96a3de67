// SPDX-License-Identifier: GPL-2.0
/*
 * DbgPrint and DbgPrintEx with Windows format semantics.
 *
 * The one exception to "rust/exports.rs is the only ABI edge": a C-variadic
 * function cannot be defined in kernel Rust (c_variadic is not an allowed
 * feature), so these two entry points are C, and format in C. They read
 * each argument at the width Windows gives it (Win64, LLP64), not the one
 * Linux's printf would: in a Windows source "%lx" is a 32-bit ULONG, which
 * Linux's vsnprintf would read as 64 bits. Documentation/porting.rst lists
 * the conversions; Documentation/design.rst says why this file exists.
 *
 * Windows sources (the "Format Specification Syntax: printf and wprintf
 * Functions" and DbgPrint/DbgPrintEx pages):
 *   size prefixes   none, l, I32: 32 bits; h: short; hh: char;
 *                   ll, I64: 64 bits; I (and z, t, j): pointer-sized (64);
 *   %c %hc          a char;  %C %lc %wc  a WCHAR (UTF-16 code unit);
 *   %s %hs          a char string;  %S %ls %ws  a WCHAR string;
 *   %Z              a PANSI_STRING;  %wZ  a PUNICODE_STRING (counted);
 *   %#x of 0        "0" (the prefix is for nonzero values);
 *   a precision of 0 with the value 0 prints no digits;
 *   floating point  not supported by DbgPrint: printed as written, and no
 *                   argument is consumed (kernel C cannot pass a double);
 *   512 bytes       the most one call transmits: longer output is cut.
 * Wide characters are written as UTF-8 (Windows converts them to the ANSI
 * code page). %p keeps Linux's pointer hashing (Windows prints the raw
 * address): the kernel log is readable beyond root, and "no_hash_pointers"
 * on the kernel command line turns it off for debugging. NULL strings
 * print "(null)", as both Windows and Linux do.
 *
 * Each call is one kernel log line, "ndis: " then the text. DbgPrint logs
 * at KERN_INFO (Windows sends it at DPFLTR_INFO_LEVEL); DbgPrintEx maps
 * its Level (see dbgprint_level()). A text that starts with a Linux
 * KERN_<LEVEL> prefix keeps that level. Never sleeps and allocates
 * nothing: callable in any context, as Windows allows up to DIRQL.
 */
#include <linux/export.h>
#include <linux/kernel.h>
#include <linux/printk.h>
#include <linux/stdarg.h>
#include <linux/string.h>

#include <ndis.h>

/* DbgPrint page: "any single call ... will only transmit 512 bytes". */
#define DBGPRINT_MAX 512

struct dbg_out {
	char buf[DBGPRINT_MAX];
	size_t pos;		/* < DBGPRINT_MAX: buf[pos] is the NUL */
};

static void out_char(struct dbg_out *o, char c)
{
	if (o->pos + 1 < sizeof(o->buf))
		o->buf[o->pos++] = c;
}

static void out_pad(struct dbg_out *o, int n)
{
	while (n-- > 0)
		out_char(o, ' ');
}

/* Appends what the kernel's vsnprintf makes of @spec and one argument. */
static __printf(2, 3) void out_linux(struct dbg_out *o, const char *spec, ...)
{
	va_list ap;

	va_start(ap, spec);
	o->pos += vscnprintf(o->buf + o->pos, sizeof(o->buf) - o->pos, spec, ap);
	va_end(ap);
}

/* One conversion's flags, width and precision (-1: none). */
struct conv {
	bool left, plus, space, alt, zero;
	int width, precision;
};

/* Rebuilds "%<flags><width>.<precision>" for the kernel's vsnprintf. */
static void conv_spec(char *spec, size_t size, const struct conv *c, bool alt,
		      const char *length, char type)
{
	char width[16] = "", prec[16] = "";

	if (c->width > 0)
		snprintf(width, sizeof(width), "%d", c->width);
	if (c->precision >= 0)
		snprintf(prec, sizeof(prec), ".%d", c->precision);
	snprintf(spec, size, "%%%s%s%s%s%s%s%s%s%c", c->left ? "-" : "",
		 c->plus ? "+" : "", c->space ? " " : "", alt ? "#" : "",
		 c->zero ? "0" : "", width, prec, length, type);
}

/* An integer conversion of @value, which has been read at its Windows width. */
static void out_integer(struct dbg_out *o, const struct conv *c, char type,
			unsigned long long value, bool is64)
{
	char spec[40];

	/* C and Windows: precision 0 and value 0 print no digits. */
	if (c->precision == 0 && value == 0) {
		out_pad(o, c->width);
		return;
	}
	/* Windows' '#' prefixes nonzero values only; Linux gives "0x0". */
	conv_spec(spec, sizeof(spec), c, c->alt && value != 0,
		  is64 ? "ll" : "", type);
	if (is64)
		out_linux(o, spec, value);
	else if (type == 'd' || type == 'i')
		out_linux(o, spec, (int)value);
	else
		out_linux(o, spec, (unsigned int)value);
}

/* Bytes of the UTF-8 form of one code point. */
static int utf8_len(u32 cp)
{
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

static void out_utf8(struct dbg_out *o, u32 cp)
{
	if (cp < 0x80) {
		out_char(o, cp);
	} else if (cp < 0x800) {
		out_char(o, 0xc0 | (cp >> 6));
		out_char(o, 0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		out_char(o, 0xe0 | (cp >> 12));
		out_char(o, 0x80 | ((cp >> 6) & 0x3f));
		out_char(o, 0x80 | (cp & 0x3f));
	} else {
		out_char(o, 0xf0 | (cp >> 18));
		out_char(o, 0x80 | ((cp >> 12) & 0x3f));
		out_char(o, 0x80 | ((cp >> 6) & 0x3f));
		out_char(o, 0x80 | (cp & 0x3f));
	}
}

/*
 * The code point at @s[*i] (at most @n units), advancing *i; a surrogate
 * without its partner is U+FFFD.
 */
static u32 utf16_next(const WCHAR *s, size_t n, size_t *i)
{
	u32 u = s[(*i)++];

	if (u >= 0xd800 && u < 0xdc00 && *i < n &&
	    s[*i] >= 0xdc00 && s[*i] < 0xe000)
		return 0x10000 + ((u - 0xd800) << 10) + (s[(*i)++] - 0xdc00);
	if (u >= 0xd800 && u < 0xe000)
		return 0xfffd;
	return u;
}

/*
 * A string conversion: @n bytes (@wide: UTF-16 units) at @s, or up to the
 * NUL when @n is SIZE_MAX; the precision counts characters, as on Windows.
 */
static void out_string(struct dbg_out *o, const struct conv *c,
		       const void *s, size_t n, bool wide)
{
	size_t limit = c->precision >= 0 ? c->precision : SIZE_MAX;
	size_t units, chars, bytes, i;

	if (!s) {
		s = "(null)";
		n = SIZE_MAX;
		wide = false;
	}
	/* First pass: how many units are printed and how wide that is. */
	units = chars = bytes = 0;
	if (wide) {
		const WCHAR *w = s;

		while (units < n && w[units] && chars < limit) {
			i = units;
			bytes += utf8_len(utf16_next(w, n, &i));
			units = i;
			chars++;
		}
	} else {
		const char *a = s;

		while (units < n && a[units] && chars < limit)
			units++, chars++;
		bytes = units;
	}
	if (!c->left)
		out_pad(o, c->width - (int)min_t(size_t, bytes, INT_MAX));
	if (wide) {
		for (i = 0; i < units;)
			out_utf8(o, utf16_next(s, units, &i));
	} else {
		for (i = 0; i < units; i++)
			out_char(o, ((const char *)s)[i]);
	}
	if (c->left)
		out_pad(o, c->width - (int)min_t(size_t, bytes, INT_MAX));
}

/* The counted strings of %Z and %wZ (wdm.h STRING / UNICODE_STRING). */
static void out_counted(struct dbg_out *o, const struct conv *c,
			const void *str, bool wide)
{
	if (wide) {
		const UNICODE_STRING *u = str;

		out_string(o, c, u ? u->Buffer : NULL,
			   u ? u->Length / sizeof(WCHAR) : 0, true);
	} else {
		const ANSI_STRING *a = str;

		out_string(o, c, a ? a->Buffer : NULL, a ? a->Length : 0,
			   false);
	}
}

enum dbg_arg_size { ARG_DEFAULT, ARG_CHAR, ARG_SHORT, ARG_32, ARG_64, ARG_WIDE };

/* Formats @format with @ap into @o by Windows' rules. */
static void dbg_format(struct dbg_out *o, const char *format, va_list ap)
{
	const char *p = format;

	while (*p) {
		const char *start = p;
		struct conv c = { .precision = -1 };
		enum dbg_arg_size size = ARG_DEFAULT;
		bool wide;

		if (*p != '%') {
			out_char(o, *p++);
			continue;
		}
		p++;
		for (;; p++) {
			if (*p == '-')
				c.left = true;
			else if (*p == '+')
				c.plus = true;
			else if (*p == ' ')
				c.space = true;
			else if (*p == '#')
				c.alt = true;
			else if (*p == '0')
				c.zero = true;
			else
				break;
		}
		if (*p == '*') {
			c.width = va_arg(ap, int);
			if (c.width < 0) {
				c.left = true;
				c.width = -c.width;
			}
			p++;
		} else {
			while (*p >= '0' && *p <= '9')
				c.width = c.width * 10 + (*p++ - '0');
		}
		if (*p == '.') {
			p++;
			c.precision = 0;
			if (*p == '*') {
				c.precision = va_arg(ap, int);
				p++;
			} else {
				while (*p >= '0' && *p <= '9')
					c.precision = c.precision * 10 + (*p++ - '0');
			}
		}
		/* Nothing wider than the whole message is printable. */
		c.width = min(c.width, DBGPRINT_MAX);
		c.precision = c.precision < 0 ? -1 : min(c.precision, DBGPRINT_MAX);

		if (p[0] == 'I' && p[1] == '6' && p[2] == '4') {
			size = ARG_64, p += 3;
		} else if (p[0] == 'I' && p[1] == '3' && p[2] == '2') {
			size = ARG_32, p += 3;
		} else if (p[0] == 'l' && p[1] == 'l') {
			size = ARG_64, p += 2;
		} else if (p[0] == 'h' && p[1] == 'h') {
			size = ARG_CHAR, p += 2;
		} else if (*p == 'I' || *p == 'z' || *p == 't' || *p == 'j') {
			size = ARG_64, p++;	/* pointer-sized on Win64 */
		} else if (*p == 'l') {
			size = ARG_32, p++;	/* LONG: 32 bits, wide for c/s */
		} else if (*p == 'h') {
			size = ARG_SHORT, p++;
		} else if (*p == 'w') {
			size = ARG_WIDE, p++;
		}
		/* l and w make c, s and Z wide; h makes C and S narrow. */
		wide = size == ARG_WIDE || size == ARG_32;

		switch (*p) {
		case 'd': case 'i': case 'u': case 'o': case 'x': case 'X': {
			unsigned long long v;
			bool is64 = size == ARG_64;
			bool is_signed = *p == 'd' || *p == 'i';

			if (is64)
				v = va_arg(ap, unsigned long long);
			else
				v = va_arg(ap, unsigned int);
			if (size == ARG_SHORT)
				v = is_signed ? (u32)(s16)v : (u16)v;
			else if (size == ARG_CHAR)
				v = is_signed ? (u32)(s8)v : (u8)v;
			out_integer(o, &c, *p, v, is64);
			break;
		}
		case 'c':
		case 'C': {
			/* char and WCHAR both arrive promoted to int. */
			WCHAR w = (WCHAR)va_arg(ap, int);
			char a = (char)w;

			if (*p == 'C' ? size != ARG_SHORT : wide)
				out_string(o, &c, &w, 1, true);
			else
				out_string(o, &c, &a, 1, false);
			break;
		}
		case 's':
		case 'S': {
			const void *s = va_arg(ap, const void *);

			out_string(o, &c, s, SIZE_MAX,
				   *p == 'S' ? size != ARG_SHORT : wide);
			break;
		}
		case 'Z':
			out_counted(o, &c, va_arg(ap, const void *), wide);
			break;
		case 'p':
			/* Linux's hashing stays: see the header comment. */
			out_linux(o, "%p", va_arg(ap, void *));
			break;
		case 'n':
			/* Disabled on Windows too; never written through. */
			(void)va_arg(ap, void *);
			break;
		case '%':
			out_char(o, '%');
			break;
		default:
			/*
			 * Floating point, or no conversion at all: printed as
			 * written; no argument is consumed.
			 */
			while (start < p + (*p != '\0'))
				out_char(o, *start++);
			if (!*p)
				return;
			break;
		}
		p++;
	}
}

/*
 * The printk level of a DbgPrintEx Level ("Reading and Filtering Debugging
 * Messages"): 0-31 name one bit of the component's filter mask, larger
 * values are the mask itself (DPFLTR_MASK flags that). The lowest bit
 * decides: ERROR -> KERN_ERR, WARNING -> KERN_WARNING, TRACE and INFO ->
 * KERN_INFO, anything else -> KERN_DEBUG. dmesg shows every level.
 */
static int dbgprint_level(ULONG level)
{
	ULONG mask = level < 32 ? 1U << level : level & ~DPFLTR_MASK;

	if (mask & (1U << DPFLTR_ERROR_LEVEL))
		return LOGLEVEL_ERR;
	if (mask & (1U << DPFLTR_WARNING_LEVEL))
		return LOGLEVEL_WARNING;
	if (mask & ((1U << DPFLTR_TRACE_LEVEL) | (1U << DPFLTR_INFO_LEVEL)))
		return LOGLEVEL_INFO;
	return LOGLEVEL_DEBUG;
}

static ULONG dbgprint(int level, const char *format, va_list ap)
{
	struct dbg_out o = { .pos = 0 };
	const char *text;
	int kern;

	o.buf[0] = '\0';
	if (format)
		dbg_format(&o, format, ap);
	text = o.buf;
	/* A Linux KERN_<LEVEL> prefix (Linux-only sources) wins. */
	kern = printk_get_level(text);
	if (kern >= '0' && kern <= '7') {
		level = kern - '0';
		text = printk_skip_level(text);
	}
	switch (level) {
	case LOGLEVEL_EMERG:
		pr_emerg("ndis: %s", text);
		break;
	case LOGLEVEL_ALERT:
		pr_alert("ndis: %s", text);
		break;
	case LOGLEVEL_CRIT:
		pr_crit("ndis: %s", text);
		break;
	case LOGLEVEL_ERR:
		pr_err("ndis: %s", text);
		break;
	case LOGLEVEL_WARNING:
		pr_warn("ndis: %s", text);
		break;
	case LOGLEVEL_NOTICE:
		pr_notice("ndis: %s", text);
		break;
	case LOGLEVEL_INFO:
		pr_info("ndis: %s", text);
		break;
	default:
		printk(KERN_DEBUG "ndis: %s", text);
		break;
	}
	return 0; /* STATUS_SUCCESS */
}

ULONG DbgPrint(PCSTR Format, ...)
{
	va_list ap;
	ULONG status;

	va_start(ap, Format);
	status = dbgprint(LOGLEVEL_INFO, Format, ap);
	va_end(ap);
	return status;
}
EXPORT_SYMBOL_GPL(DbgPrint);

ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...)
{
	va_list ap;
	ULONG status;

	(void)ComponentId;	/* no per-component filter masks on Linux */
	va_start(ap, Format);
	status = dbgprint(dbgprint_level(Level), Format, ap);
	va_end(ap);
	return status;
}
EXPORT_SYMBOL_GPL(DbgPrintEx);
