#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Where each vCPU of a guest that stopped answering is: its RIP as a symbol
of the guest kernel, and the kernel text addresses on its stack (a rough
backtrace), asked of QEMU's human monitor while the guest runs (a
snapshot: a spinning vCPU is seen somewhere in its loop).

qemu-regs.py MONITOR-SOCKET SYSTEM-MAP [CPUS]

e2e.sh runs it when the guest is still running at its time limit, before it
kills QEMU: a hang then says where it spins or sleeps.
"""
import bisect
import re
import socket
import sys
import time

PROMPT = b'(qemu) '


def load_map(path):
    """System.map's text symbols, sorted: ([address], [name])."""
    syms = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[1] in 'tTwW':
                syms.append((int(parts[0], 16), parts[2]))
    syms.sort()
    return [a for a, _ in syms], [n for _, n in syms]


def symbol(addrs, names, addr):
    """ADDR as name+0xoff, or None outside the kernel's text."""
    i = bisect.bisect_right(addrs, addr) - 1
    if i < 0 or i + 1 >= len(addrs) or addr - addrs[i] > 0x10000:
        return None
    return f'{names[i]}+{addr - addrs[i]:#x}'


class Monitor:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(20)
        self.sock.connect(path)
        self.read()

    def read(self):
        data = b''
        deadline = time.time() + 20
        while not data.endswith(PROMPT) and time.time() < deadline:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
        # The monitor echoes with terminal escapes: keep the text.
        text = re.sub(r'\x1b\[[0-9;]*[A-Za-z]', '', data.decode(errors='replace'))
        return text.replace('\r', '')

    def cmd(self, line):
        self.sock.sendall(line.encode() + b'\n')
        return self.read()


def main():
    if len(sys.argv) not in (3, 4) or (len(sys.argv) == 4 and not sys.argv[3].isdigit()):
        sys.exit('usage: qemu-regs.py MONITOR-SOCKET SYSTEM-MAP [CPUS]')
    try:
        addrs, names = load_map(sys.argv[2])
    except OSError as e:
        sys.exit(f'qemu-regs.py: error: cannot read {sys.argv[2]}: {e.strerror}')
    cpus = int(sys.argv[3]) if len(sys.argv) == 4 else 2
    try:
        mon = Monitor(sys.argv[1])
    except OSError as e:
        sys.exit(f'qemu-regs.py: error: no monitor at {sys.argv[1]}: {e}')
    for cpu in range(cpus):
        mon.cmd(f'cpu {cpu}')
        regs = mon.cmd('info registers')
        m = re.search(r'RIP=([0-9a-f]+)', regs)
        if not m:
            print(f'vCPU {cpu}: no RIP in: {regs.strip()[:200]}', flush=True)
            continue
        rip = int(m.group(1), 16)
        # The privilege level says kernel or user; System.map does not
        # have the modules' code.
        cpl = re.search(r'CPL=(\d)', regs)
        kernel = cpl.group(1) == '0' if cpl else rip >= 0xffff800000000000
        where = symbol(addrs, names, rip) or ('a module' if kernel else 'user')
        print(f'vCPU {cpu}: RIP {rip:#x} ({where})', flush=True)
        flags = re.search(r'RFL=([0-9a-f]+)', regs)
        if flags:
            print(f'  interrupts {"on" if int(flags.group(1), 16) & 0x200 else "off"}', flush=True)
        if kernel:
            # HMP names the stack pointer $esp, 64 bits wide on x86_64.
            stack = mon.cmd('x/128gx $esp')
            frames = []
            for word in re.findall(r'0x([0-9a-f]{16})', stack):
                s = symbol(addrs, names, int(word, 16))
                if s and (not frames or frames[-1] != s):
                    frames.append(s)
            for s in frames[:24]:
                print(f'  ? {s}', flush=True)


if __name__ == '__main__':
    main()
