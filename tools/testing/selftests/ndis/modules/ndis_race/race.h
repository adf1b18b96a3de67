/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ndis_race - races on one channel and one adapter, every byte verified.
 * Shared by the module's parts:
 *
 *   race_main.c      the miniport (edu), its DMA controller, ISR and DPC,
 *                    halt in two modes, the debugfs interface
 *   race_channel.c   Setup/Complete on channel 0 from several threads
 *                    against the ISR and the DPC (47-race-one-adapter)
 *   race_sgshm.c     SG lists and shared memory from every CPU at once
 *                    (47-race-one-adapter)
 *   race_teardown.c  Deregister, halt, unload and removal against a
 *                    Complete in flight on another CPU (48-race-teardown)
 *   race_physmap.c   NDIS 5 physical mapping (map registers) from every
 *                    CPU (47), against NdisMFreeMapRegisters and halt (48)
 */
#ifndef _NDIS_RACE_H
#define _NDIS_RACE_H

#define NDIS_MINIPORT_DRIVER
#define NDIS630_MINIPORT

#include <linux/completion.h>
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/prandom.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <ndis_linux.h>

/* ---- QEMU's edu device ---- */
#define EDU_REG_ID		0x00
#define EDU_REG_INTR_STATUS	0x24
#define EDU_REG_INTR_ACK	0x64
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_CNT		0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_ID_VALUE		0x010000EDU
#define EDU_CMD_RUN		0x1
#define EDU_CMD_FROM_DEVICE	0x2
#define EDU_CMD_IRQ		0x4
#define EDU_INTR_DMA		0x100
#define EDU_BUFFER		0x40000
#define EDU_SIZE		4096

/*
 * Channel 0 is edu's engine, completed by the DPC; the teardown hammer's
 * channel is a software engine (race_teardown.c).
 */
#define RACE_EDU_CHANNEL	0
#define RACE_SW_CHANNEL		1

#define RACE_THREADS_MAX	4
/* Every test buffer: two pages, so transfers can straddle a boundary. */
#define RACE_BUF_LEN		(2 * PAGE_SIZE)
/* The hold of a Complete for a halt in leave mode: by default, at most. */
#define RACE_HOLD_MS_DEFAULT	300
#define RACE_HOLD_MS_MAX	1000
/* How long a teardown waits for the hammer to reach its Complete. */
#define RACE_MEET_MS		1000
#define RACE_POISON		0xA5
#define RACE_SENTINEL		0x5A

enum race_buf_kind { RACE_KMALLOC, RACE_VMALLOC, RACE_PAGES, RACE_KINDS };

/* One buffer of each kind, each with an MDL over all of it. */
struct race_bufs {
	u8 *va[RACE_KINDS];
	PMDL mdl[RACE_KINDS];
};

/* A transfer on channel 0 as its contender set it up. */
struct race_xfer {
	enum race_buf_kind kind;
	u32 off;		/* in the buffer */
	u32 len;
	u32 doff;		/* in edu's buffer */
	bool to_dev;
	bool dispatch;		/* called with a spin lock held */
};

/* What a contender counts; the errors are the ones named in race_errors(). */
struct race_stats {
	u64 setups, refused, dpc_completes, early, early_fenced, prompt;
	u64 verified, verified_bytes, unverified;
	u64 mismatches, guard, written_after, lost_irq, bad_status, bad_counter, stale;
};

/*
 * Something that sets up transfers on channel 0: a thread, the DPC (its
 * own chained transfers) or a command. Each owns a part of edu's buffer
 * (region) and knows what it wrote there (shadow, where known).
 */
struct contender {
	struct race_adapter *a;
	const char *name;
	struct task_struct *task;	/* NULL for the DPC */
	struct race_bufs bufs;
	u32 region, region_len;
	u8 *shadow, *known, *src;
	struct race_xfer x;
	u64 gen;		/* the generation Start gave its transfer */
	u64 done_gen;		/* release: the DPC completed that generation */
	NDIS_STATUS done_status;
	bool done_early;	/* ... or the prompt completer did, early */
	atomic_t busy;		/* the DPC contender: a transfer is set up */
	struct rnd_state rnd;
	spinlock_t dispatch;	/* held around calls made at DISPATCH_LEVEL */
	unsigned long deadline;
	struct completion finished;
	struct race_stats st;
	char first_error[128];
};

enum race_xfer_state { RACE_IDLE, RACE_ARMED, RACE_COMPLETING };
enum race_halt_mode { RACE_HALT_DEREGISTER, RACE_HALT_LEAVE };

struct hammer;
struct pm_run;

struct race_adapter {
	NDIS_HANDLE MiniportAdapterHandle;
	struct pci_dev *pdev;
	PUCHAR RegisterBase;
	ULONG RegisterLength;
	NDIS_HANDLE InterruptHandle;
	NDIS_HANDLE DmaHandle;		/* channel 0 */
	NDIS_HANDLE SgDmaHandle;
	ULONG SgListSize;		/* ScatterGatherListSize */
	char name[16];			/* the PCI name, for logs after halt */

	/* channel 0's controller: under the shim's channel lock */
	bool fenced;

	/*
	 * Channel 0's transfer: which contender Start last started (cur,
	 * cur_gen) and who completes it. ARMED: nobody has called Complete
	 * for it; whoever moves it to COMPLETING (the DPC, or its owner
	 * completing early) makes the Complete call. Taken inside the
	 * controller (under the shim's channel lock) and by the DPC and the
	 * threads; nobody calls the shim with it held.
	 */
	spinlock_t xlock;
	struct contender *cur;
	u64 cur_gen, gen;
	enum race_xfer_state cur_state;
	u64 double_starts;	/* Start while a transfer was ARMED: two at once */
	u64 strays;		/* DPCs with nothing armed or the engine busy */
	u64 unknown_caller;	/* Start from a task that is no contender */
	atomic64_t starts, isr_runs, dpc_runs;

	/* The contenders of the current run: threads, the DPC's, a command's. */
	struct contender *ctd[RACE_THREADS_MAX];
	unsigned int nthreads;
	struct contender *dpc;
	struct task_struct *dpc_kicker;	/* sets up the DPC's first transfer */
	struct contender *cmd;
	bool chain;			/* the DPC sets up transfers of its own */
	unsigned int chain_percent;	/* after this share of its runs */
	bool chain_tearing;		/* channel 0 may go away under the chain */

	/*
	 * The prompt completer (race_channel.c): Start sometimes hands its
	 * transfer to a thread on another CPU and holds on until that thread
	 * is calling NdisMCompleteDmaTransfer, so the Complete arrives while
	 * the Setup that started the engine is still under way.
	 */
	struct task_struct *prompt_task;
	struct contender *prompt;	/* release: the transfer to complete */
	atomic_t prompt_calling;	/* the completer is in its Complete */
	u64 prompt_inside;		/* ... while Start still ran */

	/* race_teardown.c */
	struct hammer *hammer;
	enum race_halt_mode halt_mode;
	struct delayed_work reaper;

	/* race_physmap.c: physhold's worker, until the halt (and unload) */
	struct pm_run *physmap;

	/* edu's engine for bus-master moves (SG, shared memory): PASSIVE */
	struct mutex engine;

	/* the test interface */
	struct mutex lock;
	struct dentry *dir;
	char result[640];
	size_t result_len;
	struct list_head grave;
};

extern enum race_halt_mode race_halt_mode;

/* race_main.c */
static inline void __iomem *edu_reg(struct race_adapter *a, ULONG off)
{
	return (void __iomem __force *)(a->RegisterBase + off);
}

static inline bool edu_running(struct race_adapter *a)
{
	return readl(edu_reg(a, EDU_REG_DMA_CMD)) & EDU_CMD_RUN;
}

NDIS_STATUS race_register_channel(struct race_adapter *a);
bool race_engine_ready(struct race_adapter *a);
bool race_engine_wait(struct race_adapter *a, unsigned int ms);
int race_wait_for_stop(void);
int race_bufs_alloc(struct race_adapter *a, struct race_bufs *b);
void race_bufs_free(struct race_bufs *b);
u8 race_pattern(u32 seed, u32 i);
int race_sw_copy(struct device *dev, u64 addr, void *mem, u32 len, bool to_device);
void *race_bus_to_virt(struct device *dev, u64 addr);
void race_result(struct race_adapter *a, const char *fmt, ...) __printf(2, 3);
void race_note(char *first, size_t size, const char *fmt, ...) __printf(3, 4);

/* race_channel.c */
struct contender *race_caller(struct race_adapter *a);
void race_started(struct race_adapter *a, struct contender *c);
void race_prompt_from_start(struct race_adapter *a, struct contender *c);
void race_dpc(struct race_adapter *a);
int race_channel_run(struct race_adapter *a, unsigned int threads, unsigned int ms, u64 seed);
int race_roundtrip(struct race_adapter *a, u32 len, u64 seed);
int race_chain_start(struct race_adapter *a, u64 seed);
void race_chain_wait_complete(struct race_adapter *a, unsigned int ms);
bool race_chain_quiesce(struct race_adapter *a);
void race_chain_forget(struct race_adapter *a);
void race_chain_report(struct race_adapter *a, char *buf, size_t size);
void race_chain_free(struct race_adapter *a);
u64 race_errors(const struct race_stats *st);

/* race_sgshm.c */
MINIPORT_PROCESS_SG_LIST RaceProcessSGList;
MINIPORT_ALLOCATE_SHARED_MEM_COMPLETE RaceSharedMemAllocateComplete;
int race_sgshm_run(struct race_adapter *a, unsigned int threads, unsigned int ms, u64 seed);

/* race_teardown.c */
NDIS_STATUS race_sw_start(struct race_adapter *a, UINT channel, u64 addr, u32 len,
			  bool to_device);
void race_sw_stop(struct race_adapter *a, UINT channel);
int race_hammer_start(struct race_adapter *a, int cpu, unsigned int hold_ms, u64 seed);
int race_deregister_rounds(struct race_adapter *a, unsigned int sw, unsigned int edu, int cpu,
			   u64 seed);
void race_halt_teardown(struct race_adapter *a);
void race_reap(struct work_struct *work);

/* race_physmap.c */
int race_physmap_run(struct race_adapter *a, bool share, unsigned int threads, unsigned int ms,
		     u64 seed);
int race_physfree_run(struct race_adapter *a, unsigned int rounds, int cpu, u64 seed);
int race_physhold_start(struct race_adapter *a, int cpu, u64 seed);
void race_physmap_halt(struct race_adapter *a, bool free);
void race_physmap_reap(struct race_adapter *a);
void race_physmap_free(struct race_adapter *a);

#endif /* _NDIS_RACE_H */
