// SPDX-License-Identifier: GPL-2.0
/*
 * insnprof.c - a QEMU TCG plugin: how many times each guest kernel
 * instruction runs between two marker instructions.
 *
 *   qemu-system-x86_64 ... -plugin file=insnprof.so,out=PATH
 *
 * The guest (ndis_bench.c, profile=N) brackets what it wants counted with
 * multi-byte NOPs of an unusual displacement, "nopl 0x4e4453XX(%rax)"
 * (0f 1f 80, then the 32-bit displacement, XX the marker's kind):
 *
 *   01  block begin    a new block (numbered from 0 in the order begun)
 *   02  window start   count on this vCPU from the next instruction
 *   03  window stop    stop counting; file the window
 *   04  block end      write the block to PATH
 *
 * A window is one iteration (one shim pair, one raw sequence). Windows are
 * grouped by their total: an interrupt taken inside a window adds its
 * handler's instructions, so the block's answer is the most common total
 * (what icount's median sees too) and the per-instruction counts of the
 * first window with that total. Windows with that total whose counts
 * differ from it are counted as "differ" (none expected: the path is the
 * same code every time). The markers themselves are not counted.
 *
 * Counting happens in a TB execution callback that walks the block's
 * instructions in order (so markers inside a TB split it correctly). It
 * fires as the TB is entered: a TB left half way (an exception inside the
 * window) would be counted whole; the kernel's DMA paths take none.
 * Only kernel-half TBs and TBs with a marker are instrumented.
 *
 * Boot the guest with one vCPU: with two under -icount (QEMU 10.0.2), whole
 * functions went uncounted, a different set each boot (the code the second
 * vCPU translated first, it seems), while one vCPU gave the same counts
 * as the guest's icount clock. The header line says how many there were.
 *
 * Output, one block after another:
 *   block B windows N
 *   total T count C                     (every distinct window total)
 *   profile T count C differ D          (the mode, then its counts:)
 *   VADDR N                             (hex address, executions)
 *   end
 *
 * QEMU installs no qemu-plugin.h here, so the few calls and types this
 * plugin uses are declared below, as API version 2 (the lowest QEMU 10.0.2
 * loads; it takes 2 to 4) defines them: qemu_plugin_insn_data() copies.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- The QEMU plugin API, as much of it as is used ---- */

#define PLUGIN_EXPORT __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;

typedef struct {
	const char *target_name;
	struct {
		int min;
		int cur;
	} version;
	bool system_emulation;
	union {
		struct {
			int smp_vcpus;
			int max_vcpus;
		} system;
	};
} qemu_info_t;

struct qemu_plugin_tb;
struct qemu_plugin_insn;

enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };

typedef void (*qemu_plugin_tb_trans_cb)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb)(unsigned int vcpu, void *udata);
typedef void (*qemu_plugin_udata_cb)(qemu_plugin_id_t id, void *udata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_tb_trans_cb cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, qemu_plugin_vcpu_udata_cb cb,
					  enum qemu_plugin_cb_flags flags, void *udata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb cb, void *udata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_data(const struct qemu_plugin_insn *insn, void *dest, size_t len);
void qemu_plugin_outs(const char *s);

PLUGIN_EXPORT int qemu_plugin_version = 2;

/* ---- The plugin ---- */

enum { INSN_PLAIN, MARK_BEGIN, MARK_START, MARK_STOP, MARK_END };

#define MARK_LEN	7
#define KERNEL_HALF	0xffff800000000000ULL
#define MAX_TOTALS	64

/* One translated block, shared by every translation of the same code. */
struct tb_desc {
	struct tb_desc *next;	/* hash chain */
	size_t n;
	uint64_t *vaddr;
	uint8_t *kind;
	int32_t *slot;		/* an instruction's counter, assigned when first counted */
};

/* A sparse window profile: (slot, count) sorted by slot. */
struct profile {
	size_t n;
	uint32_t *slot;
	uint64_t *count;
};

struct total {
	uint64_t total, windows, differ;
	struct profile first;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *out;

static struct tb_desc **tb_hash;
static size_t tb_hash_size = 1 << 16;

/* Counter slots: one per instruction address ever counted. */
static uint64_t *slot_vaddr, *slot_count;
static size_t nslots, slots_cap;
static int32_t *addr_hash;	/* open addressing: vaddr -> slot, -1 empty */
static size_t addr_hash_size;

/* The window being counted, and the block it belongs to. */
static int window_vcpu = -1;
static uint32_t *touched;
static size_t ntouched, touched_cap;
static uint64_t window_total;
static bool in_block;
static unsigned int block_no;
static struct total totals[MAX_TOTALS];
static size_t ntotals;
static uint64_t block_windows, block_overflow;

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		qemu_plugin_outs("insnprof: out of memory\n");
		abort();
	}
	return p;
}

static size_t hash64(uint64_t v)
{
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	return (size_t)v;
}

static void addr_hash_insert(uint64_t vaddr, int32_t slot)
{
	size_t i = hash64(vaddr) & (addr_hash_size - 1);

	while (addr_hash[i] >= 0)
		i = (i + 1) & (addr_hash_size - 1);
	addr_hash[i] = slot;
}

/* The counter of @vaddr, made on first use. */
static int32_t slot_of(uint64_t vaddr)
{
	size_t i;

	if (nslots * 2 >= addr_hash_size) {
		size_t s;

		addr_hash_size = addr_hash_size ? addr_hash_size * 2 : 1 << 16;
		addr_hash = xrealloc(addr_hash, addr_hash_size * sizeof(*addr_hash));
		memset(addr_hash, 0xff, addr_hash_size * sizeof(*addr_hash));
		for (s = 0; s < nslots; s++)
			addr_hash_insert(slot_vaddr[s], (int32_t)s);
	}
	for (i = hash64(vaddr) & (addr_hash_size - 1); addr_hash[i] >= 0;
	     i = (i + 1) & (addr_hash_size - 1))
		if (slot_vaddr[addr_hash[i]] == vaddr)
			return addr_hash[i];
	if (nslots == slots_cap) {
		slots_cap = slots_cap ? slots_cap * 2 : 1 << 14;
		slot_vaddr = xrealloc(slot_vaddr, slots_cap * sizeof(*slot_vaddr));
		slot_count = xrealloc(slot_count, slots_cap * sizeof(*slot_count));
	}
	slot_vaddr[nslots] = vaddr;
	slot_count[nslots] = 0;
	addr_hash[i] = (int32_t)nslots;
	return (int32_t)nslots++;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void profile_take(struct profile *p)
{
	size_t i;

	qsort(touched, ntouched, sizeof(*touched), cmp_u32);
	p->n = ntouched;
	p->slot = xrealloc(NULL, ntouched * sizeof(*p->slot) + 1);
	p->count = xrealloc(NULL, ntouched * sizeof(*p->count) + 1);
	for (i = 0; i < ntouched; i++) {
		p->slot[i] = touched[i];
		p->count[i] = slot_count[touched[i]];
	}
}

static bool profile_same(const struct profile *p)
{
	size_t i;

	if (p->n != ntouched)
		return false;
	qsort(touched, ntouched, sizeof(*touched), cmp_u32);
	for (i = 0; i < ntouched; i++)
		if (p->slot[i] != touched[i] || p->count[i] != slot_count[touched[i]])
			return false;
	return true;
}

static void block_reset(void)
{
	size_t i;

	for (i = 0; i < ntotals; i++) {
		free(totals[i].first.slot);
		free(totals[i].first.count);
	}
	memset(totals, 0, sizeof(totals));
	ntotals = 0;
	block_windows = 0;
	block_overflow = 0;
}

/* File the finished window under its total, then clear its counters. */
static void window_file(void)
{
	size_t i;

	block_windows++;
	for (i = 0; i < ntotals && totals[i].total != window_total; i++)
		;
	if (i == ntotals) {
		if (ntotals == MAX_TOTALS) {
			block_overflow++;
			goto clear;
		}
		totals[i].total = window_total;
		profile_take(&totals[i].first);
		ntotals++;
	} else if (!profile_same(&totals[i].first)) {
		totals[i].differ++;
	}
	totals[i].windows++;
clear:
	for (i = 0; i < ntouched; i++)
		slot_count[touched[i]] = 0;
	ntouched = 0;
	window_total = 0;
}

static void block_write(void)
{
	const struct total *mode = NULL;
	size_t i;

	fprintf(out, "block %u windows %" PRIu64 "\n", block_no, block_windows);
	for (i = 0; i < ntotals; i++) {
		fprintf(out, "total %" PRIu64 " count %" PRIu64 "\n", totals[i].total,
			totals[i].windows);
		if (!mode || totals[i].windows > mode->windows)
			mode = &totals[i];
	}
	if (block_overflow)
		fprintf(out, "total other count %" PRIu64 "\n", block_overflow);
	if (mode) {
		fprintf(out, "profile %" PRIu64 " count %" PRIu64 " differ %" PRIu64 "\n",
			mode->total, mode->windows, mode->differ);
		for (i = 0; i < mode->first.n; i++)
			fprintf(out, "%" PRIx64 " %" PRIu64 "\n", slot_vaddr[mode->first.slot[i]],
				mode->first.count[i]);
	}
	fprintf(out, "end\n");
	fflush(out);
}

static void count(int32_t slot)
{
	if (!slot_count[slot]++) {
		if (ntouched == touched_cap) {
			touched_cap = touched_cap ? touched_cap * 2 : 4096;
			touched = xrealloc(touched, touched_cap * sizeof(*touched));
		}
		touched[ntouched++] = (uint32_t)slot;
	}
	window_total++;
}

static void marker(unsigned int vcpu, uint8_t kind)
{
	switch (kind) {
	case MARK_BEGIN:
		block_reset();
		in_block = true;
		break;
	case MARK_START:
		/* A start without a stop (should not happen): drop that window. */
		if (window_vcpu >= 0) {
			size_t i;

			for (i = 0; i < ntouched; i++)
				slot_count[touched[i]] = 0;
			ntouched = 0;
			window_total = 0;
		}
		window_vcpu = in_block ? (int)vcpu : -1;
		break;
	case MARK_STOP:
		if (window_vcpu == (int)vcpu) {
			window_file();
			window_vcpu = -1;
		}
		break;
	case MARK_END:
		if (in_block) {
			block_write();
			block_no++;
			in_block = false;
		}
		window_vcpu = -1;
		break;
	}
}

static void tb_exec(unsigned int vcpu, void *udata)
{
	struct tb_desc *d = udata;
	size_t i;

	/* The common case, every kernel TB outside a window: no lock. */
	if (__atomic_load_n(&window_vcpu, __ATOMIC_RELAXED) != (int)vcpu && !d->kind)
		return;
	pthread_mutex_lock(&lock);
	for (i = 0; i < d->n; i++) {
		uint8_t kind = d->kind ? d->kind[i] : INSN_PLAIN;

		if (kind != INSN_PLAIN) {
			marker(vcpu, kind);
		} else if (window_vcpu == (int)vcpu) {
			if (d->slot[i] < 0)
				d->slot[i] = slot_of(d->vaddr[i]);
			count(d->slot[i]);
		}
	}
	pthread_mutex_unlock(&lock);
}

static uint8_t insn_kind(const struct qemu_plugin_insn *insn)
{
	uint8_t b[MARK_LEN + 1];

	/* nopl 0x4e4453XX(%rax): 0f 1f 80 XX 53 44 4e */
	if (qemu_plugin_insn_data(insn, b, sizeof(b)) != MARK_LEN ||
	    b[0] != 0x0f || b[1] != 0x1f || b[2] != 0x80 ||
	    b[4] != 0x53 || b[5] != 0x44 || b[6] != 0x4e ||
	    b[3] < MARK_BEGIN || b[3] > MARK_END)
		return INSN_PLAIN;
	return b[3];
}

/* The shared description of this code, made the first time it is seen. */
static struct tb_desc *tb_desc_get(const uint64_t *vaddr, const uint8_t *kind, bool marks,
				   size_t n)
{
	struct tb_desc *d, **head;
	size_t h = hash64(vaddr[0] ^ (n << 48)), i;

	for (i = 0; i < n; i++)
		h = hash64(h ^ vaddr[i] ^ kind[i]);
	head = &tb_hash[h & (tb_hash_size - 1)];
	for (d = *head; d; d = d->next)
		if (d->n == n && !memcmp(d->vaddr, vaddr, n * sizeof(*vaddr)) &&
		    (d->kind ? marks && !memcmp(d->kind, kind, n) : !marks))
			return d;
	d = xrealloc(NULL, sizeof(*d));
	d->n = n;
	d->vaddr = xrealloc(NULL, n * sizeof(*vaddr));
	memcpy(d->vaddr, vaddr, n * sizeof(*vaddr));
	d->kind = NULL;
	if (marks) {
		d->kind = xrealloc(NULL, n);
		memcpy(d->kind, kind, n);
	}
	d->slot = xrealloc(NULL, n * sizeof(*d->slot));
	memset(d->slot, 0xff, n * sizeof(*d->slot));
	d->next = *head;
	*head = d;
	return d;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb), i;
	uint64_t vaddr[n ? n : 1];
	uint8_t kind[n ? n : 1];
	bool marks = false;
	struct tb_desc *d;

	if (!n)
		return;
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		vaddr[i] = qemu_plugin_insn_vaddr(insn);
		kind[i] = insn_kind(insn);
		marks |= kind[i] != INSN_PLAIN;
	}
	/* The windows are kernel code: user space is never counted. */
	if (vaddr[0] < KERNEL_HALF && !marks)
		return;
	pthread_mutex_lock(&lock);
	d = tb_desc_get(vaddr, kind, marks, n);
	pthread_mutex_unlock(&lock);
	qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec, QEMU_PLUGIN_CB_NO_REGS, d);
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
	pthread_mutex_lock(&lock);
	if (in_block)
		fprintf(out, "# unfinished block %u (%" PRIu64 " windows)\n", block_no,
			block_windows);
	fclose(out);
	out = NULL;
	pthread_mutex_unlock(&lock);
}

PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
				      char **argv)
{
	const char *path = NULL;
	int i;

	for (i = 0; i < argc; i++)
		if (!strncmp(argv[i], "out=", 4))
			path = argv[i] + 4;
	if (!path || !info->system_emulation) {
		qemu_plugin_outs("insnprof: needs out=PATH and system emulation\n");
		return -1;
	}
	out = fopen(path, "w");
	if (!out) {
		qemu_plugin_outs("insnprof: cannot open the output file\n");
		return -1;
	}
	tb_hash = calloc(tb_hash_size, sizeof(*tb_hash));
	if (!tb_hash)
		return -1;
	fprintf(out, "# insnprof: QEMU plugin API %d..%d, vcpus %d\n", info->version.min,
		info->version.cur, info->system.smp_vcpus);
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
