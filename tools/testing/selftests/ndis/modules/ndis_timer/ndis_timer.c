// SPDX-License-Identifier: GPL-2.0
/*
 * ndis_timer - an NDIS 6.30 miniport on edu that checks, in its first
 * adapter's MiniportInitializeEx, the timer objects (NdisAllocateTimerObject,
 * NdisSetTimerObject, NdisCancelTimerObject, NdisFreeTimerObject) and
 * NdisMSynchronizeWithInterruptEx, logging "ndis_timer: ok <what>" or
 * "ndis_timer: not ok <what>" per check, "ndis_timer: rejected N" (calls
 * the shim must refuse and count) and "ndis_timer: done". Each expected
 * result names its Microsoft page (learn.microsoft.com/windows-hardware/
 * drivers/ddi/ndis/nf-ndis-<name lowercased>) or the shim's choice.
 * Only "fired" / "did not fire" is asserted, never how late.
 *
 * Every adapter also leaves a periodic timer set at halt: the shim must
 * cancel and free it, and it must not fire once the module is told the
 * release is over (checked at module exit: "ndis_timer: left ...").
 */
#define NDIS_MINIPORT_DRIVER
#define NDIS630_MINIPORT

#include <linux/bottom_half.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include <ndis.h>
#include <ndis_linux.h>

#define EDU_REG_ID		0x00
#define EDU_REG_INTR_STATUS	0x24
#define EDU_REG_INTR_RAISE	0x60
#define EDU_REG_INTR_ACK	0x64
#define EDU_ID_VALUE		0x010000EDU
#define EDU_INTR_TEST		0x1000

#define FORGED ((NDIS_HANDLE)(uintptr_t)0x0900000000000abcULL)

static int failures, rejected;
#define REJECTED(call) (rejected++, (call))

static void check(bool ok, const char *what)
{
	if (!ok)
		failures++;
	pr_info("ndis_timer: %s %s\n", ok ? "ok" : "not ok", what);
}

static NDIS_HANDLE driver_handle;
static bool checks_ran;

struct tstate {
	atomic_t fired;
	void *last_ctx;
	bool bad_context;	/* ran outside softirq, or could sleep */
	NDIS_HANDLE self;	/* cancel itself at the third firing */
	BOOLEAN self_cancel;	/* what that Cancel returned */
};

static void tstate_fire(struct tstate *s, void *ctx)
{
	if (!in_serving_softirq() || in_hardirq() || preemptible())
		s->bad_context = true;
	WRITE_ONCE(s->last_ctx, ctx);
	if (atomic_inc_return(&s->fired) == 3 && s->self)
		s->self_cancel = NdisCancelTimerObject(s->self);
}

static struct tstate st_a, st_b;

/* The context is a struct tstate * or, for st_b's timer, a marker in it. */
static VOID TimerA(PVOID S1, PVOID Ctx, PVOID S2, PVOID S3)
{
	tstate_fire(&st_a, Ctx);
}

static VOID TimerB(PVOID S1, PVOID Ctx, PVOID S2, PVOID S3)
{
	tstate_fire(&st_b, Ctx);
}

/* A timer that frees itself from its own function (DISPATCH_LEVEL). */
static NDIS_HANDLE self_free_handle;
static atomic_t self_free_ran;
static VOID TimerSelfFree(PVOID S1, PVOID Ctx, PVOID S2, PVOID S3)
{
	NdisFreeTimerObject(self_free_handle);
	atomic_inc(&self_free_ran);
}

/* Left set at halt: counts firings after the module was told it is over. */
struct left_state {
	atomic_t fired;
};
static struct left_state left[8];
static atomic_t left_used;
static VOID TimerLeft(PVOID S1, PVOID Ctx, PVOID S2, PVOID S3)
{
	atomic_inc(&((struct left_state *)Ctx)->fired);
}

static void chars(NDIS_TIMER_CHARACTERISTICS *c, PNDIS_TIMER_FUNCTION fn, void *ctx)
{
	NdisZeroMemory(c, sizeof(*c));
	c->Header.Type = NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS;
	c->Header.Revision = NDIS_TIMER_CHARACTERISTICS_REVISION_1;
	c->Header.Size = NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1;
	c->AllocationTag = 'mTdN';
	c->TimerFunction = fn;
	c->FunctionContext = ctx;
}

static LARGE_INTEGER rel_ms(s64 ms)
{
	LARGE_INTEGER d = { .QuadPart = -ms * 10000 };
	return d;
}

/* Windows system time: 100 ns units since 1601. */
static s64 system_time(void)
{
	return (s64)(ktime_get_real_ns() / 100) + 116444736000000000LL;
}

/* Waits up to 3 s for @v to reach @n. */
static bool wait_count(atomic_t *v, int n)
{
	int i;

	for (i = 0; i < 300 && atomic_read(v) < n; i++)
		msleep(10);
	return atomic_read(v) >= n;
}

static void reset(struct tstate *s)
{
	atomic_set(&s->fired, 0);
	s->last_ctx = NULL;
	s->self = NULL;
	s->self_cancel = FALSE;
}

static void test_allocate(NDIS_HANDLE adapter)
{
	NDIS_TIMER_CHARACTERISTICS c;
	NDIS_HANDLE h = NULL;

	chars(&c, TimerA, &st_a);
	c.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
	check(NdisAllocateTimerObject(adapter, &c, &h) == NDIS_STATUS_BAD_CHARACTERISTICS && !h,
	      "NdisAllocateTimerObject: wrong Header.Type is BAD_CHARACTERISTICS (page)");
	chars(&c, TimerA, &st_a);
	c.Header.Size = NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1 - 1;
	check(NdisAllocateTimerObject(adapter, &c, &h) == NDIS_STATUS_BAD_CHARACTERISTICS,
	      "NdisAllocateTimerObject: short Header.Size is BAD_CHARACTERISTICS (page)");
	chars(&c, TimerA, &st_a);
	c.Header.Revision = 0;
	check(NdisAllocateTimerObject(adapter, &c, &h) == NDIS_STATUS_BAD_CHARACTERISTICS,
	      "NdisAllocateTimerObject: Header.Revision 0 is BAD_CHARACTERISTICS (page)");
	chars(&c, NULL, &st_a);
	check(NdisAllocateTimerObject(adapter, &c, &h) == NDIS_STATUS_BAD_CHARACTERISTICS,
	      "NdisAllocateTimerObject: NULL TimerFunction is BAD_CHARACTERISTICS (page)");
	chars(&c, TimerA, &st_a);
	check(NdisAllocateTimerObject(FORGED, &c, &h) == NDIS_STATUS_FAILURE && !h,
	      "NdisAllocateTimerObject: forged NdisHandle is FAILURE (page: none of the others apply)");
	check(NdisAllocateTimerObject(NULL, &c, &h) == NDIS_STATUS_FAILURE,
	      "NdisAllocateTimerObject: NULL NdisHandle is FAILURE");
	check(NdisAllocateTimerObject(adapter, &c, NULL) == NDIS_STATUS_FAILURE,
	      "NdisAllocateTimerObject: NULL pTimerObject is FAILURE");
	check(NdisAllocateTimerObject(driver_handle, &c, &h) == NDIS_STATUS_SUCCESS && h,
	      "NdisAllocateTimerObject: the driver handle is SUCCESS (page)");
	if (h)
		NdisFreeTimerObject(h);
	h = NULL;
	local_bh_disable();
	check(NdisAllocateTimerObject(adapter, &c, &h) == NDIS_STATUS_SUCCESS && h,
	      "NdisAllocateTimerObject: at DISPATCH_LEVEL is SUCCESS (page: IRQL <= DISPATCH_LEVEL)");
	if (h)
		NdisFreeTimerObject(h);
	local_bh_enable();
}

static void test_one_shot(NDIS_HANDLE ta)
{
	LARGE_INTEGER due;
	int marker;

	reset(&st_a);
	check(!NdisSetTimerObject(ta, rel_ms(5), 0, NULL),
	      "NdisSetTimerObject: an idle timer returns FALSE (page: TRUE only if already queued)");
	check(wait_count(&st_a.fired, 1), "one-shot relative timer fired");
	msleep(100);
	check(atomic_read(&st_a.fired) == 1, "one-shot timer fired once");
	check(st_a.last_ctx == &st_a,
	      "NULL FunctionContext: the characteristics' context (NdisSetTimerObject page)");
	check(!st_a.bad_context, "timer function ran in softirq context, not preemptible (DISPATCH_LEVEL)");
	check(!NdisCancelTimerObject(ta),
	      "NdisCancelTimerObject: a fired one-shot timer returns FALSE (page)");

	reset(&st_a);
	NdisSetTimerObject(ta, rel_ms(5), 0, &marker);
	check(wait_count(&st_a.fired, 1) && st_a.last_ctx == &marker,
	      "non-NULL FunctionContext is passed to the timer function (page)");

	reset(&st_a);
	due.QuadPart = system_time() + 20 * 10000;
	check(!NdisSetTimerObject(ta, due, 0, NULL), "absolute DueTime: Set returns FALSE");
	check(wait_count(&st_a.fired, 1), "absolute DueTime (system time) fired");
	due.QuadPart = system_time() - 10000000;
	NdisSetTimerObject(ta, due, 0, NULL);
	check(wait_count(&st_a.fired, 2), "absolute DueTime in the past fires at once");

	reset(&st_a);
	check(!NdisSetTimerObject(ta, rel_ms(10000), 0, NULL), "Set 10 s: FALSE");
	check(NdisSetTimerObject(ta, rel_ms(10000), 0, NULL),
	      "Set again while queued: TRUE (page: already in the system timer queue)");
	check(NdisCancelTimerObject(ta), "Cancel a queued timer: TRUE (page)");
	check(!NdisCancelTimerObject(ta), "Cancel again: FALSE (page)");

	/* DISPATCH_LEVEL: Set and one-shot Cancel (page: IRQL <= DISPATCH_LEVEL). */
	local_bh_disable();
	check(!NdisSetTimerObject(ta, rel_ms(10000), 0, NULL), "Set at DISPATCH_LEVEL: FALSE");
	check(NdisSetTimerObject(ta, rel_ms(10000), 0, NULL), "Set again at DISPATCH_LEVEL: TRUE");
	check(NdisCancelTimerObject(ta), "Cancel at DISPATCH_LEVEL: TRUE");
	local_bh_enable();
	msleep(50);
	check(atomic_read(&st_a.fired) == 0, "cancelled timers did not fire");
}

static void test_periodic(NDIS_HANDLE ta, NDIS_HANDLE tb)
{
	int n;

	reset(&st_a);
	check(!NdisSetTimerObject(ta, rel_ms(1), 5, NULL), "periodic Set: FALSE");
	check(wait_count(&st_a.fired, 4), "periodic timer fired repeatedly (4 times)");
	check(NdisCancelTimerObject(ta),
	      "Cancel a periodic timer at PASSIVE_LEVEL: TRUE (re-queued after each firing)");
	n = atomic_read(&st_a.fired);
	msleep(100);
	check(atomic_read(&st_a.fired) == n, "periodic timer did not fire after Cancel");

	/* A periodic timer cancelling itself from its function (DISPATCH). */
	reset(&st_b);
	st_b.self = tb;
	NdisSetTimerObject(tb, rel_ms(1), 3, NULL);
	check(wait_count(&st_b.fired, 3), "self-cancelling periodic timer fired 3 times");
	msleep(100);
	check(atomic_read(&st_b.fired) == 3 && st_b.self_cancel,
	      "Cancel from its own function: TRUE, and no firing after");
	check(!st_b.bad_context, "periodic timer function ran at DISPATCH_LEVEL");

	/* Cancel at DISPATCH_LEVEL of a periodic timer (the page wants
	 * PASSIVE; the shim disarms it without waiting). */
	reset(&st_a);
	NdisSetTimerObject(ta, rel_ms(1), 5, NULL);
	wait_count(&st_a.fired, 2);
	local_bh_disable();
	NdisCancelTimerObject(ta);
	local_bh_enable();
	/* A run already under way on the other CPU ends first (its vCPU may be stalled). */
	msleep(200);
	n = atomic_read(&st_a.fired);
	msleep(100);
	check(atomic_read(&st_a.fired) == n, "periodic timer cancelled at DISPATCH_LEVEL stops");
}

static void test_free(NDIS_HANDLE adapter)
{
	NDIS_TIMER_CHARACTERISTICS c;
	NDIS_HANDLE h = NULL;

	chars(&c, TimerA, &st_a);
	reset(&st_a);
	/* Free of a queued timer (page: cancel first; the shim cancels). */
	if (NdisAllocateTimerObject(adapter, &c, &h) == NDIS_STATUS_SUCCESS) {
		NdisSetTimerObject(h, rel_ms(20), 0, NULL);
		NdisFreeTimerObject(h);
		check(!REJECTED(NdisSetTimerObject(h, rel_ms(1), 0, NULL)),
		      "Set on a freed timer: FALSE, rejected (shim's choice)");
		check(!REJECTED(NdisCancelTimerObject(h)),
		      "Cancel on a freed timer: FALSE, rejected");
		REJECTED(NdisFreeTimerObject(h));
	}
	/* Free of a queued periodic timer at DISPATCH_LEVEL (page: <= DISPATCH). */
	h = NULL;
	if (NdisAllocateTimerObject(adapter, &c, &h) == NDIS_STATUS_SUCCESS) {
		NdisSetTimerObject(h, rel_ms(1), 2, NULL);
		msleep(20);
		local_bh_disable();
		NdisFreeTimerObject(h);
		check(!REJECTED(NdisCancelTimerObject(h)),
		      "Cancel after a free at DISPATCH_LEVEL: FALSE, rejected");
		local_bh_enable();
	}
	/* As above: a run already under way ends first. */
	msleep(200);
	atomic_set(&st_a.fired, 0);
	msleep(100);
	check(atomic_read(&st_a.fired) == 0, "freed timers (queued, periodic) never fire");

	/* A timer freeing itself from its function. */
	chars(&c, TimerSelfFree, NULL);
	if (NdisAllocateTimerObject(adapter, &c, &self_free_handle) == NDIS_STATUS_SUCCESS) {
		NdisSetTimerObject(self_free_handle, rel_ms(1), 0, NULL);
		check(wait_count(&self_free_ran, 1), "a timer freed from its own function ran");
		msleep(20);
		check(!REJECTED(NdisCancelTimerObject(self_free_handle)),
		      "and its handle is refused after");
	}

	/* Forged and bad arguments: FALSE / nothing, each counted. */
	check(!REJECTED(NdisSetTimerObject(FORGED, rel_ms(1), 0, NULL)),
	      "Set with a forged handle: FALSE, rejected");
	check(!REJECTED(NdisSetTimerObject(NULL, rel_ms(1), 0, NULL)),
	      "Set with NULL: FALSE, rejected");
	check(!REJECTED(NdisCancelTimerObject(FORGED)), "Cancel with a forged handle: FALSE, rejected");
	REJECTED(NdisFreeTimerObject(FORGED));
	check(!REJECTED(NdisSetTimerObject(adapter, rel_ms(1), 0, NULL)),
	      "Set with an adapter handle: FALSE, rejected (wrong kind)");
}

/* ---- NdisMSynchronizeWithInterruptEx ---- */

struct tadapter {
	NDIS_HANDLE handle;
	void __iomem *regs;
	ULONG reg_len;
	NDIS_HANDLE irq;
	NDIS_HANDLE left_timer;
	atomic_t isr_runs;
	atomic_t in_isr;
	bool overlap;		/* the ISR ran inside the sync function */
	bool isr_sync;		/* the ISR calls the sync function */
	BOOLEAN isr_sync_ret;
	atomic_t isr_sync_done;
};

struct sync_ctx {
	struct tadapter *a;
	BOOLEAN ret;
	bool irqs_off;
	bool isr_out;
	int isr_before, isr_after;
	bool raise;
};

static BOOLEAN SyncFn(NDIS_HANDLE Ctx)
{
	struct sync_ctx *s = Ctx;
	struct tadapter *a = s->a;

	s->irqs_off = irqs_disabled();
	s->isr_out = !atomic_read(&a->in_isr);
	if (s->raise) {
		s->isr_before = atomic_read(&a->isr_runs);
		writel(EDU_INTR_TEST, a->regs + EDU_REG_INTR_RAISE);
		(void)readl(a->regs + EDU_REG_ID);
		mdelay(20);
		s->isr_after = atomic_read(&a->isr_runs);
	}
	return s->ret;
}

static BOOLEAN IsrSyncFn(NDIS_HANDLE Ctx)
{
	return TRUE;
}

static BOOLEAN TimerIsr(NDIS_HANDLE Ctx, PBOOLEAN QueueDpc, PULONG Target)
{
	struct tadapter *a = Ctx;
	u32 status = readl(a->regs + EDU_REG_INTR_STATUS);

	*QueueDpc = FALSE;
	*Target = 0;
	if (!status || status == ~0U)
		return FALSE;
	atomic_inc(&a->in_isr);
	writel(status, a->regs + EDU_REG_INTR_ACK);
	if (READ_ONCE(a->isr_sync)) {
		a->isr_sync_ret = NdisMSynchronizeWithInterruptEx(a->irq, 0, IsrSyncFn, a);
		WRITE_ONCE(a->isr_sync, false);
		atomic_inc(&a->isr_sync_done);
	}
	atomic_inc(&a->isr_runs);
	atomic_dec(&a->in_isr);
	return TRUE;
}

static VOID TimerDpc(NDIS_HANDLE Ctx, PVOID D, PVOID R1, PVOID R2)
{
}

static void test_sync(struct tadapter *a)
{
	struct sync_ctx s = { .a = a, .ret = TRUE };

	check(NdisMSynchronizeWithInterruptEx(a->irq, 0, SyncFn, &s) == TRUE && s.irqs_off &&
	      s.isr_out,
	      "NdisMSynchronizeWithInterruptEx returns the function's TRUE, run with interrupts off (page)");
	s.ret = FALSE;
	check(NdisMSynchronizeWithInterruptEx(a->irq, 0, SyncFn, &s) == FALSE,
	      "NdisMSynchronizeWithInterruptEx returns the function's FALSE (page)");
	s.ret = TRUE;
	local_bh_disable();
	check(NdisMSynchronizeWithInterruptEx(a->irq, 0, SyncFn, &s) == TRUE,
	      "NdisMSynchronizeWithInterruptEx at DISPATCH_LEVEL (page: <= DIRQL)");
	local_bh_enable();

	/* An interrupt raised inside the function is handled only after it. */
	s.raise = true;
	NdisMSynchronizeWithInterruptEx(a->irq, 0, SyncFn, &s);
	check(s.isr_after == s.isr_before, "no ISR ran while the synchronized function did (20 ms)");
	check(wait_count(&a->isr_runs, s.isr_before + 1),
	      "the interrupt raised inside it was handled after it returned");

	/* From the ISR itself: runs directly (the ISR is the caller). */
	WRITE_ONCE(a->isr_sync, true);
	writel(EDU_INTR_TEST, a->regs + EDU_REG_INTR_RAISE);
	check(wait_count(&a->isr_sync_done, 1) && a->isr_sync_ret == TRUE,
	      "NdisMSynchronizeWithInterruptEx from the ISR returns the function's value");

	check(!REJECTED(NdisMSynchronizeWithInterruptEx(FORGED, 0, SyncFn, &s)),
	      "forged interrupt handle: FALSE, rejected");
	check(!REJECTED(NdisMSynchronizeWithInterruptEx(a->irq, 0, NULL, &s)),
	      "NULL SynchronizeFunction: FALSE, rejected");
}

static void run_checks(struct tadapter *a)
{
	NDIS_TIMER_CHARACTERISTICS c;
	NDIS_HANDLE ta = NULL, tb = NULL;

	test_allocate(a->handle);
	chars(&c, TimerA, &st_a);
	if (NdisAllocateTimerObject(a->handle, &c, &ta) != NDIS_STATUS_SUCCESS) {
		check(false, "NdisAllocateTimerObject A");
		return;
	}
	chars(&c, TimerB, &st_b);
	if (NdisAllocateTimerObject(driver_handle, &c, &tb) != NDIS_STATUS_SUCCESS) {
		check(false, "NdisAllocateTimerObject B");
		NdisFreeTimerObject(ta);
		return;
	}
	test_one_shot(ta);
	test_periodic(ta, tb);
	NdisFreeTimerObject(ta);
	NdisFreeTimerObject(tb);
	test_free(a->handle);
	test_sync(a);
	pr_info("ndis_timer: rejected %d\n", rejected);
	pr_info("ndis_timer: %s\n", failures ? "failed" : "done");
}

static NDIS_STATUS TimerInitialize(NDIS_HANDLE AdapterHandle, NDIS_HANDLE DriverContext,
				   PNDIS_MINIPORT_INIT_PARAMETERS Params)
{
	NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES ra;
	NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS ic;
	PNDIS_RESOURCE_LIST res = Params->AllocatedResources;
	NDIS_PHYSICAL_ADDRESS phys = { .QuadPart = 0 };
	NDIS_TIMER_CHARACTERISTICS c;
	struct tadapter *a;
	NDIS_STATUS st = NDIS_STATUS_RESOURCE_CONFLICT;
	unsigned int i;
	int slot;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return NDIS_STATUS_RESOURCES;
	a->handle = AdapterHandle;
	NdisZeroMemory(&ra, sizeof(ra));
	ra.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
	ra.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
	ra.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_2;
	ra.MiniportAdapterContext = (NDIS_HANDLE)a;
	ra.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE;
	ra.InterfaceType = NdisInterfacePci;
	if (NdisMSetMiniportAttributes(AdapterHandle,
				       (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&ra) != NDIS_STATUS_SUCCESS)
		goto free;
	for (i = 0; res && i < res->Count; i++) {
		if (res->PartialDescriptors[i].Type == CmResourceTypeMemory) {
			phys = res->PartialDescriptors[i].u.Memory.Start;
			a->reg_len = res->PartialDescriptors[i].u.Memory.Length;
			st = NDIS_STATUS_SUCCESS;
			break;
		}
	}
	if (st != NDIS_STATUS_SUCCESS)
		goto free;
	st = NdisMMapIoSpace((PVOID *)&a->regs, AdapterHandle, phys, a->reg_len);
	if (st != NDIS_STATUS_SUCCESS)
		goto free;
	if (readl(a->regs + EDU_REG_ID) != EDU_ID_VALUE) {
		st = NDIS_STATUS_ADAPTER_NOT_FOUND;
		goto unmap;
	}
	writel(~0U, a->regs + EDU_REG_INTR_ACK);
	NdisZeroMemory(&ic, sizeof(ic));
	ic.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT;
	ic.Header.Revision = NDIS_MINIPORT_INTERRUPT_REVISION_1;
	ic.Header.Size = NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1;
	ic.InterruptHandler = TimerIsr;
	ic.InterruptDpcHandler = TimerDpc;
	st = NdisMRegisterInterruptEx(AdapterHandle, a, &ic, &a->irq);
	if (st != NDIS_STATUS_SUCCESS)
		goto unmap;
	if (!checks_ran) {
		checks_ran = true;
		run_checks(a);
	}
	/* Left set at halt on purpose. */
	slot = atomic_inc_return(&left_used) - 1;
	if (slot < ARRAY_SIZE(left)) {
		chars(&c, TimerLeft, &left[slot]);
		if (NdisAllocateTimerObject(AdapterHandle, &c, &a->left_timer) ==
		    NDIS_STATUS_SUCCESS)
			NdisSetTimerObject(a->left_timer, rel_ms(1), 2, NULL);
	}
	return NDIS_STATUS_SUCCESS;
unmap:
	NdisMUnmapIoSpace(AdapterHandle, a->regs, a->reg_len);
free:
	kfree(a);
	return st;
}

static VOID TimerHalt(NDIS_HANDLE Ctx, NDIS_HALT_ACTION HaltAction)
{
	struct tadapter *a = Ctx;

	/* The timer left set, the interrupt and the mapping are the shim's to release. */
	writel(~0U, a->regs + EDU_REG_INTR_ACK);
	NdisMDeregisterInterruptEx(a->irq);
	NdisMUnmapIoSpace(a->handle, a->regs, a->reg_len);
	kfree(a);
}

/* Every adapter is halted and released by now: the timers left set must be silent. */
static VOID TimerUnload(PDRIVER_OBJECT DriverObject)
{
	int i, n = min_t(int, atomic_read(&left_used), ARRAY_SIZE(left));
	int before = 0, after = 0;
	bool fired = n > 0;

	for (i = 0; i < n; i++) {
		before += atomic_read(&left[i].fired);
		fired &= atomic_read(&left[i].fired) > 0;
	}
	msleep(100);
	for (i = 0; i < n; i++)
		after += atomic_read(&left[i].fired);
	pr_info("ndis_timer: left %s %d adapter timer(s) fired before halt and never after release (%d -> %d)\n",
		fired && before == after ? "ok" : "not ok", n, before, after);
	NdisMDeregisterMiniportDriver(driver_handle);
}

static NDIS_STATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
	NDIS_MINIPORT_DRIVER_CHARACTERISTICS c;

	NdisZeroMemory(&c, sizeof(c));
	c.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
	c.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	c.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
	c.MajorNdisVersion = NDIS_MINIPORT_MAJOR_VERSION;
	c.MinorNdisVersion = NDIS_MINIPORT_MINOR_VERSION;
	c.MajorDriverVersion = 1;
	c.InitializeHandlerEx = TimerInitialize;
	c.HaltHandlerEx = TimerHalt;
	c.UnloadHandler = TimerUnload;
	return NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &c, &driver_handle);
}

static const struct pci_device_id ndis_timer_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};

NDIS_LINUX_PCI_MINIPORT(ndis_timer, ndis_timer_ids, DriverEntry, 28, NULL);

MODULE_DESCRIPTION("ndis-shim selftest: NDIS 6 timer objects and NdisMSynchronizeWithInterruptEx");
MODULE_LICENSE("GPL");
