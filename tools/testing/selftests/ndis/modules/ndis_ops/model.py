#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Random system-DMA call sequences through ndis_ops, checked against a model.

Drives /sys/kernel/debug/ndis_ops/<pci>/{op,result} (see ndis_ops.c) with
random register / setup / complete / counter / deregister / forge / wait
steps, valid and invalid, and checks every status against the documented
semantics (Documentation/system-dma.rst). Prints nested KTAP lines
("ok N ..."), one per chunk of steps; the first mismatch is "not ok" with
the step number, the operation, what was expected and what came back.

    model.py --seed N --steps N --chunk N --first N --deadline SECS DIR...

--first: number of the first KTAP line; the plan is printed by the caller
(steps/chunk lines per adapter, then one "leave" line per adapter).
Exit status: 0 all matched, 1 mismatch or interface error.
"""
import argparse
import os
import random
import sys
import time

SUCCESS = 0x00000000
RESOURCES = 0xC000009A
INVALID_PARAMETER = 0xC000000D
INVALID_LENGTH = 0xC0010014
FAILURE = 0xC0000001
NAMES = {SUCCESS: "SUCCESS", RESOURCES: "RESOURCES", INVALID_PARAMETER: "INVALID_PARAMETER",
         INVALID_LENGTH: "INVALID_LENGTH", FAILURE: "FAILURE"}

SLOTS = 8
BUF_SIZES = [64, 4096, 8192, 4096]   # ndis_ops.c ops_buf_spec; index 4 = NULL MDL
NULL_BUF = 4
EDU_WINDOW = 4096
REJECTED = "/sys/kernel/debug/ndis_shim/rejected_calls"
U32 = 0xFFFFFFFF


def sname(s):
    return NAMES.get(s, "0x%08x" % s) if isinstance(s, int) else str(s)


class Mismatch(Exception):
    pass


class Slot:
    def __init__(self):
        self.kind = "null"      # null | live | stale | forged
        self.handle = 0
        self.max = 0
        self.inflight = None    # (buf, off, len, from) of the Setup in progress
        # What NdisMReadDmaCounter may read once the last transfer was
        # completed: the residue the controller reported at Complete.
        self.residue = {0}


class Adapter:
    def __init__(self, path, rng, log):
        self.path = path.rstrip("/")
        self.name = os.path.basename(self.path)
        self.op_fd = os.open(self.path + "/op", os.O_WRONLY)
        self.res_fd = os.open(self.path + "/result", os.O_RDONLY)
        self.rng = rng
        self.log = log
        self.slots = [Slot() for _ in range(SLOTS)]
        self.old_handles = []   # stale handle values, for forging
        self.stats = {}
        self.rejected = read_rejected()

    def close(self):
        os.close(self.op_fd)
        os.close(self.res_fd)

    # ---- the interface ----
    def call(self, line):
        try:
            os.write(self.op_fd, line.encode())
        except OSError as e:
            raise Mismatch("write %r: %s" % (line, e))
        out = os.pread(self.res_fd, 512, 0).decode().strip()
        kv = {}
        for w in out.split():
            k, _, v = w.partition("=")
            kv[k] = v
        for k in ("status", "value", "pre", "post", "started", "handle"):
            if k in kv and kv[k] != "void":
                kv[k] = int(kv[k], 0)
        return kv

    def check_rejected(self, step, what):
        # The counter is the shim's total: the other adapter's sequence,
        # running at the same time, moves it too. At least ours must show.
        got = read_rejected()
        if got < self.rejected:
            raise Mismatch("step %d %s: rejected_calls %d, expected >= %d"
                           % (step, what, got, self.rejected))
        self.rejected = got

    def count(self, op, res):
        k = "%s:%s" % (op, res)
        self.stats[k] = self.stats.get(k, 0) + 1

    # ---- random arguments ----
    def rand_len(self, mx):
        r = self.rng.random()
        if r < 0.05:
            return 0
        if r < 0.10:
            return mx + 1 if mx < U32 else mx
        if r < 0.13:
            return self.rng.choice([U32, 0x80000000, 0x10000])
        if r < 0.55:
            return self.rng.randint(1, 256)
        return self.rng.randint(1, 8192 + 64)

    def rand_xfer(self):
        buf = NULL_BUF if self.rng.random() < 0.04 else self.rng.randrange(len(BUF_SIZES))
        size = BUF_SIZES[buf] if buf != NULL_BUF else 64
        slot = self.rng.randrange(SLOTS)
        mx = self.slots[slot].max or 4096
        ln = self.rand_len(min(mx, size) if self.rng.random() < 0.5 else mx)
        r = self.rng.random()
        if r < 0.04:
            off = self.rng.choice([U32, 0xFFFFFFF0, 0x80000000])
        elif r < 0.10:
            off = size - ln + self.rng.randint(1, 64) if ln <= size else self.rng.randint(0, size)
        elif ln <= size:
            off = self.rng.randint(0, size - ln)
        else:
            off = self.rng.randint(0, 64)
        off = max(0, min(off, U32))
        return slot, buf, off, ln, self.rng.random() < 0.5

    # ---- one step ----
    def step(self, n):
        rng = self.rng
        r = rng.random()
        live = [i for i, s in enumerate(self.slots) if s.kind == "live"]
        busy = [i for i, s in enumerate(self.slots) if s.inflight]
        if r < 0.09 or not live and r < 0.5:
            self.do_register(n)
        elif r < 0.15:
            self.do_deregister(n)
        elif r < 0.48:
            slot, buf, off, ln, frm = self.rand_xfer()
            if live and rng.random() < 0.8:
                slot = rng.choice(live)
            doff = 0
            rr = rng.random()
            if rr < 0.15:
                doff = rng.randint(0, EDU_WINDOW)
            elif rr < 0.18:
                doff = rng.choice([EDU_WINDOW + 1, U32])
            self.do_setup(n, slot, buf, off, ln, frm, doff)
        elif r < 0.78:
            if busy and rng.random() < 0.7:
                slot = rng.choice(busy)
                if rng.random() < 0.35:
                    # let the engine finish first: a coherent Complete
                    self.do_wait(n)
                buf, off, ln, frm = self.slots[slot].inflight
                m = rng.random()
                if m < 0.25:    # one field wrong
                    f = rng.randrange(5)
                    if f == 0:
                        buf = (buf + 1) % (len(BUF_SIZES) + 1)
                    elif f == 1:
                        off = (off + rng.choice([1, 64, 4096])) & U32
                    elif f == 2:
                        ln = (ln + rng.choice([1, -1, 64])) & U32
                    elif f == 3:
                        frm = not frm
                    else:
                        slot = (slot + 1) % SLOTS
            else:
                slot, buf, off, ln, frm = self.rand_xfer()
            self.do_complete(n, slot, buf, off, ln, frm)
        elif r < 0.86:
            self.do_counter(n, rng.randrange(SLOTS) if rng.random() < 0.3 or not busy
                            else rng.choice(busy))
        elif r < 0.91:
            self.do_forge(n)
        else:
            self.do_wait(n)

    def expect(self, n, line, got, allowed):
        if got not in allowed:
            raise Mismatch("step %d %s: expected %s, got %s" % (
                n, line.strip(), "|".join(sname(a) for a in sorted(allowed)), sname(got)))

    def do_register(self, n, slot=None, force_valid=False):
        rng = self.rng
        free = [i for i, s in enumerate(self.slots) if s.kind != "live"]
        if not free:
            return self.do_deregister(n)
        slot = rng.choice(free) if slot is None else slot
        mx = rng.choice([4096, 4096, 64, 8192, 1, 65536, 0, 4095])
        dma32 = 1 if rng.random() < 0.85 else 0
        desc = 0 if rng.random() < 0.07 else 1
        bad = 1 if rng.random() < 0.05 else 0
        if force_valid:
            mx, dma32, desc, bad = 4096, 1, 1, 0
        line = "register slot=%d max=%d dma32=%d desc=%d badadapter=%d" % (slot, mx, dma32, desc, bad)
        kv = self.call(line)
        st = kv["status"]
        # NdisMRegisterDmaChannel documents SUCCESS, RESOURCE_CONFLICT,
        # RESOURCES and FAILURE only.
        if bad or not desc:
            allowed = {FAILURE}     # shim's choice, counted as rejected
            self.rejected += 1
        elif mx == 0:
            allowed = {RESOURCES}   # "could not allocate the system resources"
        else:
            # 24-bit channels too: their bounce memory is allocated below 16 MiB.
            allowed = {SUCCESS}
        self.expect(n, line, st, allowed)
        self.check_rejected(n, line)
        s = self.slots[slot]
        if s.kind in ("live", "stale") and s.handle:
            self.old_handles.append(s.handle)
        if st == SUCCESS:
            if not kv["handle"]:
                raise Mismatch("step %d %s: SUCCESS with a NULL handle" % (n, line))
            s.kind, s.handle, s.max, s.inflight = "live", kv["handle"], mx, None
            s.residue = {0}
        else:
            if kv["handle"]:
                raise Mismatch("step %d %s: failed but handle 0x%x" % (n, line, kv["handle"]))
            s.kind, s.handle, s.max, s.inflight = "null", 0, 0, None
        self.count("register", sname(st))

    def do_deregister(self, n, slot=None):
        slot = self.rng.randrange(SLOTS) if slot is None else slot
        s = self.slots[slot]
        line = "deregister slot=%d" % slot
        kv = self.call(line)
        if s.kind == "live":
            # Stopped and waited for: the engine no longer runs for it.
            if kv["post"] == slot:
                raise Mismatch("step %d %s: engine still runs for the channel after Deregister"
                               % (n, line))
            s.kind, s.inflight = "stale", None
            self.count("deregister", "live")
        else:
            self.rejected += 1
            self.count("deregister", "bad-" + s.kind)
        self.check_rejected(n, line)

    def do_setup(self, n, slot, buf, off, ln, frm, doff):
        s = self.slots[slot]
        line = "setup slot=%d buf=%d off=%d len=%d dir=%s doff=%d" % (
            slot, buf, off, ln, "from" if frm else "to", doff)
        kv = self.call(line)
        st, pre, post, started = kv["status"], kv["pre"], kv["post"], kv["started"]
        size = BUF_SIZES[buf] if buf != NULL_BUF else 0
        if s.kind != "live" or buf == NULL_BUF:
            allowed = {INVALID_PARAMETER}   # shim's choice (forged handle, no MDL)
        elif ln == 0 or ln > s.max or off + ln > U32 or off + ln > size:
            # NdisMSetupDmaTransfer: "the given Length is invalid" -> RESOURCES
            allowed = {RESOURCES}
            self.rejected += 1
        elif s.inflight:
            allowed = {RESOURCES}
        elif doff > EDU_WINDOW or ln > EDU_WINDOW - doff:
            allowed = {RESOURCES}   # the controller refuses: outside edu's window
        elif pre == -1:
            allowed = {SUCCESS}     # engine idle (a draining transfer is reaped)
        elif started:
            allowed = {SUCCESS}     # it finished during the call, then ours started
        else:
            allowed = {RESOURCES}   # engine busy (this channel draining, or another's)
        self.expect(n, line, st, allowed)
        if (st == SUCCESS) != (started == 1):
            raise Mismatch("step %d %s: status %s but the engine was started %d times"
                           % (n, line, sname(st), started))
        if st == SUCCESS:
            s.inflight = (buf, off, ln, frm)
        self.check_rejected(n, line)
        self.count("setup", sname(st))

    def do_complete(self, n, slot, buf, off, ln, frm):
        s = self.slots[slot]
        line = "complete slot=%d buf=%d off=%d len=%d dir=%s" % (
            slot, buf, off, ln, "from" if frm else "to")
        kv = self.call(line)
        st, pre, post, started = kv["status"], kv["pre"], kv["post"], kv["started"]
        # NdisMCompleteDmaTransfer: SUCCESS (flushed) or RESOURCES (released,
        # maybe incoherent). Other arguments than Setup's: the transfer set
        # up is completed; nothing set up: nothing to flush but a transfer
        # still draining. Both counted as rejected.
        if s.kind != "live":
            allowed = {INVALID_PARAMETER}   # shim's choice (forged handle)
        elif pre != slot:
            allowed = {SUCCESS}     # engine idle, or moved on: ours is done
        elif post == slot:
            allowed = {RESOURCES}   # still running: fenced, released, draining
        else:
            allowed = {SUCCESS, RESOURCES}
        if s.kind == "live" and s.inflight != (buf, off, ln, frm):
            self.rejected += 1
        self.expect(n, line, st, allowed)
        if started:
            raise Mismatch("step %d %s: Complete started the engine" % (n, line))
        if s.kind == "live" and s.inflight:
            # Residue read right after Stop: the whole length while the
            # engine still ran for it, else 0.
            s.residue = {0, s.inflight[2]} if st == RESOURCES else {0}
            s.inflight = None
        self.check_rejected(n, line)
        self.count("complete", sname(st))

    def do_counter(self, n, slot):
        s = self.slots[slot]
        line = "counter slot=%d" % slot
        kv = self.call(line)
        v, pre, post = kv["value"], kv["pre"], kv["post"]
        if s.kind != "live":
            allowed = {0}
            self.rejected += 1
        elif not s.inflight:
            allowed = s.residue     # NdisMReadDmaCounter after Complete
        elif pre != slot:
            allowed = {0}
        elif post == slot:
            allowed = {s.inflight[2]}
        else:
            allowed = {0, s.inflight[2]}
        if v not in allowed:
            raise Mismatch("step %d %s: expected value %s, got %d" % (
                n, line, "|".join(map(str, sorted(allowed))), v))
        self.check_rejected(n, line)
        self.count("counter", "bad" if s.kind != "live" else ("nonzero" if v else "zero"))

    def do_forge(self, n):
        rng = self.rng
        free = [i for i, s in enumerate(self.slots) if s.kind != "live"]
        if not free:
            return
        slot = rng.choice(free)
        lives = [s.handle for s in self.slots if s.kind == "live"]
        c = rng.randrange(7)
        if c == 0 and self.old_handles:
            v = rng.choice(self.old_handles)                    # stale
        elif c == 1 and lives:
            v = (rng.choice(lives) & ~(0xFF << 56)) | (2 << 56)  # other kind tag
        elif c == 2 and lives:
            # Another generation, far enough ahead that re-registering in
            # this run never reaches it (gen + 1 would become live again).
            h = rng.choice(lives)
            v = (h & ~(0xFFFFFF << 32)) | ((((h >> 32) + 0x800000) & 0xFFFFFF) << 32)
        elif c == 3:
            v = (3 << 56) | (0xFFFFFF << 32) | rng.randrange(128)
        elif c == 4:
            v = rng.choice([0xFFFF888000001000, 0xDEADBEEF, 1, 0x12345678])
        elif c == 5:
            v = 0
        else:
            v = rng.getrandbits(64)
        if v in lives:
            return
        line = "forge slot=%d value=%d" % (slot, v)
        kv = self.call(line)
        self.expect(n, line, kv["status"], {SUCCESS})
        s = self.slots[slot]
        s.kind = "null" if v == 0 else ("stale" if v in self.old_handles else "forged")
        s.handle, s.inflight = v, None
        self.count("forge", s.kind)

    def do_wait(self, n):
        kv = self.call("wait")
        self.expect(n, "wait", kv["status"], {SUCCESS})
        self.count("wait", "ok")

    def leave_registered(self, n):
        """Register two channels (if needed) and leave a transfer in flight on one."""
        live = [i for i, s in enumerate(self.slots) if s.kind == "live"]
        for slot in range(SLOTS):
            if len(live) >= 2:
                break
            if self.slots[slot].kind != "live":
                self.do_register(n, slot, force_valid=True)
                live.append(slot)
                n += 1
        self.do_wait(n)
        slot = live[0]
        if not self.slots[slot].inflight:
            self.do_setup(n + 1, slot, 1, 0, min(256, self.slots[slot].max), False, 0)
        return len(live)


def read_rejected():
    with open(REJECTED) as f:
        return int(f.read().split()[0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--steps", type=int, default=1250)
    ap.add_argument("--chunk", type=int, default=250)
    ap.add_argument("--first", type=int, default=1)
    ap.add_argument("--deadline", type=float, default=150.0)
    ap.add_argument("dirs", nargs="+")
    a = ap.parse_args()
    t_end = time.monotonic() + a.deadline
    k = a.first
    failed = 0
    total = 0
    t0 = time.monotonic()
    for i, d in enumerate(a.dirs):
        rng = random.Random(a.seed * 1000 + i)
        ad = Adapter(d, rng, print)
        ta = time.monotonic()
        done = 0
        try:
            for c in range(0, a.steps, a.chunk):
                if failed or time.monotonic() > t_end:
                    why = "after a mismatch" if failed else "time budget used up"
                    print("ok %d %s steps %d-%d # SKIP %s" % (k, ad.name, c + 1, c + a.chunk, why))
                    k += 1
                    continue
                try:
                    for s in range(c + 1, c + a.chunk + 1):
                        ad.step(s)
                        done += 1
                    ad.check_rejected(c + a.chunk, "chunk end")
                    print("ok %d %s steps %d-%d" % (k, ad.name, c + 1, c + a.chunk))
                except Mismatch as e:
                    print("not ok %d %s steps %d-%d: %s" % (k, ad.name, c + 1, c + a.chunk, e))
                    failed = 1
                k += 1
                sys.stdout.flush()
            dt = time.monotonic() - ta
            total += done
            print("# %s: %d steps in %.1f s (%.0f steps/s)" % (ad.name, done, dt, done / max(dt, 1e-6)))
            print("# %s: %s" % (ad.name, " ".join("%s=%d" % kv for kv in sorted(ad.stats.items()))))
            if failed:
                print("ok %d %s: channels left registered # SKIP after a mismatch" % (k, ad.name))
            else:
                try:
                    nlive = ad.leave_registered(a.steps + 1)
                    print("ok %d %s: %d channels left registered, one transfer in flight"
                          % (k, ad.name, nlive))
                except Mismatch as e:
                    print("not ok %d %s: leaving channels registered: %s" % (k, ad.name, e))
                    failed = 1
            k += 1
        finally:
            ad.close()
        sys.stdout.flush()
    dt = time.monotonic() - t0
    print("# total: %d steps in %.1f s (%.0f steps/s)" % (total, dt, total / max(dt, 1e-6)))
    return failed


if __name__ == "__main__":
    sys.exit(main())
