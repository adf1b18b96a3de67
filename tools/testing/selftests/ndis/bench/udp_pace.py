#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A paced UDP sender without a handshake, for nic-guest.sh's icount
stream between two NICs that cannot carry iperf3's (frames under 60
bytes: see neigh there):

    udp_pace.py DST PORT RATE SECONDS

Sends datagrams of 1400 zero bytes to DST:PORT at RATE bits per second
(a number with an optional k, M or G) for SECONDS, sleeping until each
is due; prints how many it sent.
"""
import socket
import sys
import time


def main():
    dst, port, rate, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    scale = {"k": 1e3, "M": 1e6, "G": 1e9}.get(rate[-1:], 1)
    bps = float(rate[:-1] if scale != 1 else rate) * scale
    payload = bytes(1400)
    gap = len(payload) * 8 / bps
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    due = time.monotonic()
    end = due + secs
    sent = 0
    while due < end:
        now = time.monotonic()
        if now < due:
            time.sleep(due - now)
        try:
            s.sendto(payload, (dst, port))
            sent += 1
        except OSError:
            pass  # a full queue: the datagram is not sent, not counted
        due += gap
    print(sent)


if __name__ == "__main__":
    main()
