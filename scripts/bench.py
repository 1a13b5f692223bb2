#!/usr/bin/env python3
# Side-by-side benchmark of s5rs against s5cmd 2.3.0 (driven by scripts/bench.sh).
#
# Starts an S3 server on 127.0.0.1 (rclone serve s3, or with --canned the canned-response
# server examples/canned_objects.rs), generates data, and runs s5rs and s5cmd alternately
# (A B A B ...) with the same --numworkers, each round into a fresh prefix/directory.
# Every run is timed (wall), its user and sys CPU read from wait4()'s rusage, its peak
# RSS from GNU time, the server's user and sys CPU from /proc, the new TCP connections
# it opened counted (below), and the run checked (object counts and checksums on the
# server's disk or the local side), so a fast wrong run fails the benchmark instead of
# winning it. Prints Markdown tables and, with --chart, renders the ratios as an SVG
# (matplotlib) with the raw results next to it as JSON.
#
#   scripts/bench.py --s5rs BIN --s5cmd BIN [--quick] [--canned BIN [--delay-ms N]]
#                    [--rounds N] [--numworkers N] [--rows upload,download,...]
#                    [--small-count N] [--small-size BYTES] [--chart PATH] [--keep]
#   scripts/bench.py --replot RUN.json OUT.svg    (the chart of a saved run again)
#
# New TCP connections: every connection to the server ends in TIME_WAIT on the side
# that closes first (the client exits at the end of a run, so none is left open), and
# /proc/net/tcp shows how long each TIME_WAIT entry has left of its 60 s; entries to
# or from the server's port that entered TIME_WAIT after the run started are the run's
# connections (ports reused from older TIME_WAIT entries are counted too, as their
# timer restarts). The canned server also counts accepted connections and requests
# itself (GET /__stats); its rows show both counts, so the two methods check each
# other.
import argparse
import hashlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

AK = "AKIDS5RSBENCH01"
SK = "s5rs-bench-secret-0001"
BUCKET = "bench"
MIB = 1024 * 1024
CLK_TCK = os.sysconf("SC_CLK_TCK")
TIME_WAIT_S = 60  # Linux's TCP_TIMEWAIT_LEN
# Before the download row: files probed, the per-create sys cost taken as quiet (a
# quiet ext4 here costs 45-60 µs to create, write and rename a 1 KiB file), and how
# long to wait for it (inodes freed stop being skipped 60 s after their deletion).
SETTLE_FILES = 500
SETTLE_PER_FILE_S = 150e-6
SETTLE_STEP_S = 15
SETTLE_MAX_S = 90
# KEEP_SMALL_OUTPUTS: the files a download round writes stay until the whole benchmark
# ends (unique directories keep rounds apart). Deleting 5,000 files between rounds
# made the next rounds' file creation slow: ext4 without a journal skips inodes
# deleted in the last 60 s (360 s while their table block is dirty) when it allocates
# new ones (`recently_deleted` and `find_inode_bit` topped a profile of such a
# download; the same binary's download took 0.39 s in a first round and 1.6-1.7 s
# after a clean-up). Both tools paid it, but it was the harness's cost, not theirs.
# What rounds write on the server still leaves the bucket after each round (rclone
# slows down as a bucket fills up), but it is moved aside (`Bench.set_aside`), not
# deleted: deleting each round's 2,000 objects made rclone's file creation in the
# next rounds slower and slower for the same reason (server sys 0.44 s in the first
# upload round, 1.30-1.88 s in the later ones), so whichever tool ran later paid
# for the harness's clean-up.


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, proc, log):
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return
        except OSError:
            if proc.poll() is not None:
                sys.exit(f"server failed to start:\n{open(log).read()}")
            time.sleep(0.1)
    sys.exit("server did not start")


def md5_file(path):
    h = hashlib.md5()
    with open(path, "rb") as f:
        while True:
            b = f.read(4 * MIB)
            if not b:
                return h.hexdigest()
            h.update(b)


def tree_digest(root):
    """(file count, total bytes, md5 over sorted (relative name, content md5))."""
    entries = []
    for dirpath, _, files in os.walk(root):
        for name in files:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            if rel.startswith(".rclone") or name.startswith(".s5rs-tmp"):
                continue
            entries.append((rel, os.path.getsize(p), md5_file(p)))
    entries.sort()
    h = hashlib.md5()
    for rel, size, digest in entries:
        h.update(f"{rel}\0{size}\0{digest}\n".encode())
    return len(entries), sum(e[1] for e in entries), h.hexdigest()


def write_files(root, count, size, prefix="f", seed=1):
    os.makedirs(root, exist_ok=True)
    rnd = hashlib.sha256(str(seed).encode()).digest()
    block = (rnd * (size // len(rnd) + 1))[:size]
    for i in range(count):
        # Distinct content per file: the index overwrites the first bytes.
        tag = f"{prefix}{i:07d}|".encode()
        with open(os.path.join(root, f"{prefix}{i:07d}"), "wb") as f:
            f.write(tag + block[len(tag):] if size >= len(tag) else block)


def write_big(path, size):
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, 8 * MIB)
            f.write(os.urandom(n))
            left -= n


def time_wait_since(port, since):
    """TIME_WAIT sockets to or from 127.0.0.1:port that entered TIME_WAIT at or after
    `since` (time.monotonic()): one per connection closed since then."""
    now = time.monotonic()
    n = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if fields[3] != "06":
                        continue
                    lport = int(fields[1].rsplit(":", 1)[1], 16)
                    rport = int(fields[2].rsplit(":", 1)[1], 16)
                    if port not in (lport, rport):
                        continue
                    left = int(fields[5].split(":")[1], 16) / CLK_TCK
                    entered = now - (TIME_WAIT_S - left)
                    # The timer is shown in 10 ms ticks.
                    if entered >= since - 0.01:
                        n += 1
        except OSError:
            pass
    return n


class Run:
    """One timed child process."""

    def __init__(self, wall, user, sys_, rss_kib, rc, stdout_path):
        self.wall, self.user, self.sys = wall, user, sys_
        self.cpu = user + sys_
        self.rss_kib, self.rc, self.stdout = rss_kib, rc, stdout_path
        self.server_user = self.server_sys = self.server_cpu = 0.0
        self.conns = None  # new TCP connections (TIME_WAIT count)
        self.canned_conns = self.canned_requests = None  # the canned server's own counts
        self.units = None


def timed(argv, env, stdout_path, stdin_path=None):
    # Peak RSS comes from GNU time (a small parent): a child forked from this Python
    # process would report Python's own RSS (~35 MiB) as its floor. CPU comes from
    # wait4(), which includes the tool (time reaps it); time itself adds ~1 ms.
    rss_file = stdout_path + ".rss"
    with open(stdout_path, "wb") as out, open(stdout_path + ".err", "wb") as err:
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
        t0 = time.perf_counter()
        p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss_file] + argv, env=env,
                             stdout=out, stderr=err, stdin=stdin)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        if stdin_path:
            stdin.close()
    with open(rss_file) as f:
        rss_kib = int(f.read().split()[-1])
    return Run(wall, ru.ru_utime, ru.ru_stime, rss_kib, p.returncode, stdout_path)


def fs_floor(root, count, size):
    """Sys CPU seconds one thread (this one) takes to create, write and rename `count`
    files of `size` bytes in a new directory `root`: what the file system alone
    charges for a small-object download's files at this moment. ext4 without a journal
    (this host) skips every inode freed in the last 60 s (one buffer look-up each,
    `recently_deleted` under `find_inode_bit`) on each create, so this floor ranges
    from ~0.3 s to ~3 s for 5,000 files depending on what was deleted lately nearby;
    both tools pay it per file. The files stay (see KEEP_SMALL_OUTPUTS)."""
    os.makedirs(root)
    body = b"x" * size
    t0 = os.times()
    for i in range(count):
        tmp, final = os.path.join(root, f".t{i}"), os.path.join(root, f"f{i}")
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        os.write(fd, body)
        os.close(fd)
        os.rename(tmp, final)
    return os.times().system - t0.system


def count_lines(path):
    with open(path, "rb") as f:
        return sum(1 for _ in f)


class Bench:
    def __init__(self, args):
        self.a = args
        self.tmp = tempfile.mkdtemp(prefix="s5rs-bench-", dir=args.workdir)
        self.data = os.path.join(self.tmp, "server")
        self.local = os.path.join(self.tmp, "local")
        self.outs = os.path.join(self.tmp, "out")
        for d in (self.data, self.local, self.outs):
            os.makedirs(d)
        os.makedirs(os.path.join(self.data, BUCKET))
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ)
        self.env.update(
            AWS_ACCESS_KEY_ID=AK,
            AWS_SECRET_ACCESS_KEY=SK,
            AWS_REGION="us-east-1",
            AWS_DEFAULT_REGION="us-east-1",
            AWS_EC2_METADATA_DISABLED="true",
            AWS_CONFIG_FILE="/dev/null",
            AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        )
        self.tools = {"s5rs": args.s5rs, "s5cmd": args.s5cmd}
        self.results = {}  # row -> tool -> [Run]
        self.server = None
        self.seq = 0
        self.fs_floor = None  # (before, after) sys seconds of fs_floor() around the download row

    # --- server -------------------------------------------------------------------
    def start_server(self):
        log = os.path.join(self.tmp, "server.log")
        if self.a.canned:
            argv = [self.a.canned, "--port", str(self.port), "--objects", str(self.a.small_count),
                    "--size", str(self.a.small_size), "--delay-ms", str(self.a.delay_ms)]
        else:
            argv = ["rclone", "serve", "s3", "--config", "/dev/null", "--addr",
                    f"127.0.0.1:{self.port}", "--auth-key", f"{AK},{SK}", self.data]
        self.server = subprocess.Popen(argv, stdout=open(log, "wb"), stderr=subprocess.STDOUT,
                                       start_new_session=True)
        wait_port(self.port, self.server, log)

    def stop(self):
        if self.server and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            self.server.wait()
        if not self.a.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def server_cpu(self):
        """(user, sys) CPU seconds the server process has used so far (from /proc)."""
        try:
            with open(f"/proc/{self.server.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return int(fields[11]) / CLK_TCK, int(fields[12]) / CLK_TCK
        except OSError:
            return 0.0, 0.0

    def canned_stats(self):
        """(connections, requests) the canned server has counted so far, or None."""
        if not self.a.canned:
            return None
        with urllib.request.urlopen(f"{self.endpoint}/__stats", timeout=10) as r:
            words = r.read().decode().split()
        return int(words[1]), int(words[3])

    # --- running ------------------------------------------------------------------
    def argv(self, tool, args, dry_run=False):
        base = [self.tools[tool], "--endpoint-url", self.endpoint, "--numworkers",
                str(self.a.numworkers)]
        if dry_run:
            base.append("--dry-run")
        return base + args

    def run(self, row, tool, args, check, stdin_path=None, dry_run=False, units=None):
        self.seq += 1
        out = os.path.join(self.outs, f"{self.seq:04d}-{row}-{tool}.out")
        # Every run starts with the page cache clean: none pays for writing back what
        # the previous run (or the harness) left dirty.
        os.sync()
        stats0 = self.canned_stats()
        if stats0:
            time.sleep(0.05)  # the stats connection's TIME_WAIT is not this run's
        su0, ss0 = self.server_cpu()
        t0 = time.monotonic()
        r = timed(self.argv(tool, args, dry_run), self.env, out, stdin_path)
        su1, ss1 = self.server_cpu()
        time.sleep(0.1)  # lets the closes the client's exit started reach TIME_WAIT
        r.conns = time_wait_since(self.port, t0)
        stats1 = self.canned_stats()
        if stats0:
            # The second stats request's own connection was counted before it answered.
            r.canned_conns = stats1[0] - stats0[0] - 1
            r.canned_requests = stats1[1] - stats0[1]
        r.server_user, r.server_sys = su1 - su0, ss1 - ss0
        r.server_cpu = r.server_user + r.server_sys
        if r.rc != 0:
            err = open(out + ".err", errors="replace").read()[-2000:]
            sys.exit(f"{row}/{tool}: exit {r.rc}\n{err}\n{open(out, errors='replace').read()[-2000:]}")
        problem = check(r)
        if problem:
            sys.exit(f"{row}/{tool}: WRONG RESULT: {problem} (output in {out})")
        r.units = units
        self.results.setdefault(row, {}).setdefault(tool, []).append(r)
        canned = (f" (server counted {r.canned_conns} conns, {r.canned_requests} requests)"
                  if r.canned_conns is not None else "")
        print(f"  {row:<10} {tool:<6} {r.wall:7.3f}s user {r.user:5.2f}s sys {r.sys:5.2f}s rss {r.rss_kib / 1024:7.1f} MiB"
              f"  server user {r.server_user:5.2f}s sys {r.server_sys:5.2f}s  new conns {r.conns}{canned}",
              file=sys.stderr, flush=True)
        return r

    def rounds(self, row, body):
        """Runs body(tool, round) for s5rs and s5cmd alternately."""
        for rnd in range(self.a.rounds):
            for tool in (("s5rs", "s5cmd") if rnd % 2 == 0 else ("s5cmd", "s5rs")):
                body(tool, rnd)

    def srv(self, *parts):
        return os.path.join(self.data, BUCKET, *parts)

    def clear_server_prefix(self, prefix):
        """Takes what a round wrote out of the bucket, so the server's own state stays
        the same from round to round (rclone slows down as a bucket fills up)."""
        if not self.a.canned:
            self.set_aside(self.srv(prefix))

    def set_aside(self, path):
        """Moves `path` out of the way (a rename on the same file system) instead of
        deleting it: freed inodes would slow every file creation for the next minute
        (see KEEP_SMALL_OUTPUTS). It goes with the work directory at the end."""
        trash = os.path.join(self.tmp, "set-aside")
        os.makedirs(trash, exist_ok=True)
        os.rename(path, os.path.join(trash, os.path.basename(path)))  # round prefixes are unique

    def enabled(self, row):
        return not self.a.rows or row in self.a.rows

    # --- data ---------------------------------------------------------------------
    def prepare(self):
        a = self.a
        self.small_dir = os.path.join(self.local, "small")
        write_files(self.small_dir, a.small_count, a.small_size)
        self.small_digest = tree_digest(self.small_dir)
        if not a.canned:
            shutil.copytree(self.small_dir, self.srv("seed", "small"))
        if not a.canned and (self.enabled("run") or self.enabled("sync")):
            self.many_dir = os.path.join(self.local, "many")
            write_files(self.many_dir, a.many_count, a.many_size)
            self.many_digest = tree_digest(self.many_dir)
            # Copied after the local files were written: the remote copies are newer,
            # so `sync many/ s3://bench/seed/many/` has nothing to do.
            time.sleep(1.1)
            shutil.copytree(self.many_dir, self.srv("seed", "many"), copy_function=shutil.copyfile)
        if not a.canned and any(self.enabled(r) for r in ("big", "big-up", "big-down", "big-down-nv", "big-down-crc")):
            self.big = os.path.join(self.local, "big.bin")
            write_big(self.big, a.big_size)
            self.big_md5 = md5_file(self.big)
            os.makedirs(self.srv("seed", "big"))
            shutil.copyfile(self.big, self.srv("seed", "big", "big.bin"))

    # --- rows ---------------------------------------------------------------------
    def row_upload(self):
        n = self.a.small_count

        def body(tool, rnd):
            prefix = f"up-{tool}-{rnd}"

            def check(r):
                got = tree_digest(self.srv(prefix)) if not self.a.canned else self.small_digest
                return None if got == self.small_digest else f"uploaded {got} != {self.small_digest}"
            self.run("upload", tool, ["cp", self.small_dir + "/*", f"s3://{BUCKET}/{prefix}/"], check, units=n)
            self.clear_server_prefix(prefix)
        self.rounds("upload", body)

    def row_download(self):
        n = self.a.small_count
        src = "seed/small" if not self.a.canned else "small"

        def body(tool, rnd):
            dst = os.path.join(self.local, f"down-{tool}-{rnd}")

            def check(r):
                if self.a.canned:
                    count = len(os.listdir(dst))
                    return None if count == n else f"{count} files, expected {n}"
                got = tree_digest(dst)
                return None if got == self.small_digest else f"downloaded {got} != {self.small_digest}"
            self.run("download", tool, ["cp", f"s3://{BUCKET}/{src}/*", dst + "/"], check, units=n)
            # Kept until the end (see KEEP_SMALL_OUTPUTS).
        self.settle_fs()
        before = fs_floor(os.path.join(self.local, "floor-before"), n, self.a.small_size)
        self.rounds("download", body)
        after = fs_floor(os.path.join(self.local, "floor-after"), n, self.a.small_size)
        self.fs_floor = (before, after)
        print(f"  file-system floor: one thread creating and renaming {n} files: "
              f"{before:.2f}s sys before the download rounds, {after:.2f}s after", file=sys.stderr)

    def settle_fs(self):
        """Waits (at most SETTLE_MAX_S) until creating files here costs what it costs on
        a quiet file system: inodes other processes freed in the last minute make every
        create scan past them (see fs_floor), which would time the neighbours' `rm`, not
        the tools. Gives up and goes on when the machine keeps deleting."""
        waited = 0
        for k in range(SETTLE_MAX_S // SETTLE_STEP_S + 1):
            cost = fs_floor(os.path.join(self.local, f"settle-{k}"), SETTLE_FILES, self.a.small_size)
            if cost <= SETTLE_FILES * SETTLE_PER_FILE_S or waited >= SETTLE_MAX_S:
                break
            print(f"  file system busy ({cost / SETTLE_FILES * 1e6:.0f} µs sys per create): "
                  f"waiting {SETTLE_STEP_S} s", file=sys.stderr, flush=True)
            time.sleep(SETTLE_STEP_S)
            waited += SETTLE_STEP_S

    def row_ls(self):
        n = self.a.small_count
        src = "seed/small" if not self.a.canned else "small"

        def body(tool, rnd):
            def check(r):
                lines = count_lines(r.stdout)
                return None if lines == n else f"{lines} lines, expected {n}"
            self.run("ls", tool, ["ls", f"s3://{BUCKET}/{src}/*"], check, units=n)
        self.rounds("ls", body)

    def row_rm(self):
        n = self.a.small_count

        def body(tool, rnd):
            prefix = f"rm-{tool}-{rnd}" if not self.a.canned else "small"
            if not self.a.canned:
                # Through the server (it caches directory listings, so files written
                # behind its back stay invisible): a server-side copy, untimed.
                subprocess.run(self.argv("s5cmd", ["cp", f"s3://{BUCKET}/seed/small/*",
                                                   f"s3://{BUCKET}/{prefix}/"]),
                               env=self.env, check=True, stdout=subprocess.DEVNULL)

            def check(r):
                lines = count_lines(r.stdout)
                if lines != n:
                    return f"{lines} result lines, expected {n}"
                if not self.a.canned:
                    left = len(os.listdir(self.srv(prefix))) if os.path.isdir(self.srv(prefix)) else 0
                    if left:
                        return f"{left} objects left"
                return None
            self.run("rm", tool, ["rm", f"s3://{BUCKET}/{prefix}/*"], check, units=n)
        self.rounds("rm", body)

    def row_copy(self):
        n = self.a.small_count
        src = "seed/small" if not self.a.canned else "small"

        def body(tool, rnd):
            prefix = f"copy-{tool}-{rnd}"

            def check(r):
                if self.a.canned:
                    lines = count_lines(r.stdout)
                    return None if lines == n else f"{lines} lines, expected {n}"
                got = tree_digest(self.srv(prefix))
                return None if got == self.small_digest else f"copied {got} != {self.small_digest}"
            self.run("copy", tool, ["cp", f"s3://{BUCKET}/{src}/*", f"s3://{BUCKET}/{prefix}/"], check, units=n)
            self.clear_server_prefix(prefix)
        self.rounds("copy", body)

    def row_run(self):
        if self.a.canned:
            n = self.a.small_count
        else:
            n = self.a.many_count

        def body(tool, rnd):
            prefix = f"run-{tool}-{rnd}"
            batch = os.path.join(self.tmp, f"batch-{prefix}.txt")
            src = self.small_dir if self.a.canned else self.many_dir
            with open(batch, "w") as f:
                for name in sorted(os.listdir(src)):
                    f.write(f"cp {src}/{name} s3://{BUCKET}/{prefix}/{name}\n")

            def check(r):
                if self.a.canned:
                    lines = count_lines(r.stdout)
                    return None if lines == n else f"{lines} lines, expected {n}"
                got = tree_digest(self.srv(prefix))
                return None if got == self.many_digest else f"batch uploaded {got} != {self.many_digest}"
            self.run("run", tool, ["run", batch], check, units=n)
            self.clear_server_prefix(prefix)
        self.rounds("run", body)

    def row_big(self):
        size = self.a.big_size

        def up(tool, rnd):
            prefix = f"big-{tool}-{rnd}"

            def check(r):
                p = self.srv(prefix, "big.bin")
                if not os.path.exists(p):
                    return "no object"
                got = md5_file(p)
                return None if got == self.big_md5 else f"md5 {got} != {self.big_md5}"
            self.run("big-up", tool, ["cp", self.big, f"s3://{BUCKET}/{prefix}/big.bin"], check, units=size)
            # Deleted, not set aside: one file (no inode scan to speak of), and keeping
            # every round's 1 GiB would fill the page cache.
            shutil.rmtree(self.srv(prefix))

        def download(row, verify, seed="big"):
            def body(tool, rnd):
                dst = os.path.join(self.local, f"{row}-{tool}-{rnd}")
                os.makedirs(dst)

                def check(r):
                    got = md5_file(os.path.join(dst, "big.bin"))
                    return None if got == self.big_md5 else f"md5 {got} != {self.big_md5}"
                # s5cmd verifies nothing; s5rs checks the MD5 ETag unless told not to,
                # so the second row shows the transfer alone and the first its cost.
                flags = ["--no-verify"] if tool == "s5rs" and not verify else []
                self.run(row, tool, flags + ["cp", f"s3://{BUCKET}/seed/{seed}/big.bin", dst + "/"],
                         check, units=size)
                shutil.rmtree(dst)
            return body
        self.rounds("big-up", up)
        self.warm("big")
        self.rounds("big-down", download("big-down", True))
        self.rounds("big-down-nv", download("big-down-nv", False))
        # The same bytes stored by s5rs with one PutObject: rclone keeps the CRC64NVME
        # sent with a single PUT (not with a multipart upload), but not for long: stored
        # at the start of a full run, it was gone by these rows (its directory cache
        # expiring, we think), so it is stored right before them. The copy above (put
        # on rclone's disk) has a plain MD5 ETag.
        one_part = str(size // MIB + 1)
        subprocess.run(self.argv("s5rs", ["cp", "-p", one_part, self.big,
                                          f"s3://{BUCKET}/seed/bigcrc/big.bin"]),
                       env=self.env, check=True, stdout=subprocess.DEVNULL)
        self.warm("bigcrc")
        self.rounds("big-down-crc", download("big-down-crc", True, seed="bigcrc"))

    def warm(self, seed):
        """rclone works out a file's MD5 (its ETag) on the first request that needs it
        (1.6-1.7 s of server CPU for 1 GiB): an untimed HEAD first, so that the first
        timed round (always s5rs's, A B B A) does not pay it."""
        subprocess.run(self.argv("s5rs", ["head", f"s3://{BUCKET}/seed/{seed}/big.bin"]),
                       env=self.env, check=True, stdout=subprocess.DEVNULL)

    def row_sync(self):
        n = self.a.many_count
        before = tree_digest(self.srv("seed", "many"))

        def body(tool, rnd):
            def check(r):
                lines = count_lines(r.stdout)
                if lines:
                    return f"sync did {lines} operations, expected none"
                got = tree_digest(self.srv("seed", "many"))
                return None if got == before else "remote changed"
            self.run("sync", tool, ["sync", self.many_dir + "/", f"s3://{BUCKET}/seed/many/"], check, units=n)
        self.rounds("sync", body)

    def row_dryrun(self):
        # s5cmd plans about 500 lines/s of this batch on 2 cores (a million would take
        # over half an hour a round), so it gets a shorter batch of the same lines.
        sizes = {"s5rs": self.a.dry_lines, "s5cmd": min(self.a.dry_lines, self.a.s5cmd_dry_lines)}
        # Downloads (issue 19's batch): each line names one object and a local file under
        # a directory that does not exist, so nothing needs the server or the disk.
        out = os.path.join(self.tmp, "dryrun-out")
        batches = {}
        for tool, n in sizes.items():
            batches[tool] = os.path.join(self.tmp, f"dryrun-{n}.txt")
            with open(batches[tool], "w") as f:
                for i in range(n):
                    f.write(f"cp s3://{BUCKET}/dir/obj{i:07d}.bin {out}/dir/obj{i:07d}.bin\n")

        def body(tool, rnd):
            n = sizes[tool]

            def check(r):
                lines = count_lines(r.stdout)
                return None if lines == n else f"{lines} lines, expected {n}"
            self.run("dry-run", tool, ["run", batches[tool]], check, dry_run=True, units=n)
        self.rounds("dry-run", body)

    # --- report -------------------------------------------------------------------
    def labels(self):
        a = self.a
        small = f"{a.small_size // 1024} KiB" if a.small_size >= 1024 else f"{a.small_size} B"
        late = f", {a.delay_ms} ms late" if a.canned and a.delay_ms else ""
        return {
            "upload": f"upload {a.small_count} × {small}{late}",
            "download": f"download {a.small_count} × {small}{late}",
            "ls": f"ls {a.small_count} objects{late}",
            "rm": f"rm {a.small_count} objects{late}",
            "copy": f"S3→S3 cp {a.small_count} objects{late}",
            "run": f"run: {a.small_count if a.canned else a.many_count}-line cp batch{late}",
            "big-up": f"upload 1 × {a.big_size // MIB} MiB",
            "big-down": f"download 1 × {a.big_size // MIB} MiB",
            "big-down-nv": f"download 1 × {a.big_size // MIB} MiB, s5rs --no-verify",
            "big-down-crc": f"download 1 × {a.big_size // MIB} MiB with a CRC64NVME",
            "sync": f"sync, nothing to do, {a.many_count} objects",
            "dry-run": f"--dry-run download batch (s5rs {a.dry_lines:,} lines, s5cmd "
                       f"{min(a.dry_lines, a.s5cmd_dry_lines):,})",
        }

    def medians(self):
        """row -> tool -> dict of medians (and the runs' units)."""
        byte_rows = {"big-up", "big-down", "big-down-nv", "big-down-crc"}
        cores = os.cpu_count() or 1
        out = {}
        for row, per in self.results.items():
            for tool in ("s5rs", "s5cmd"):
                runs = per.get(tool, [])
                if not runs:
                    continue
                m = {k: statistics.median(getattr(r, k) for r in runs)
                     for k in ("wall", "cpu", "user", "sys", "server_user", "server_sys", "server_cpu", "conns")}
                m["rss"] = max(r.rss_kib for r in runs) / 1024
                units = runs[0].units
                scale = units / MIB if row in byte_rows else units
                m["units"], m["unit"] = units, ("MiB" if row in byte_rows else "obj")
                m["rate"] = scale / m["wall"]
                # Both processes share the machine's cores: no run can finish before
                # their CPU together, spread over every core, is spent.
                m["floor_rate"] = scale / ((m["cpu"] + m["server_cpu"]) / cores) if m["cpu"] + m["server_cpu"] else 0
                # The same for the server alone, as if the client cost nothing.
                m["server_floor_rate"] = scale / (m["server_cpu"] / cores) if m["server_cpu"] else 0
                m["cpu_per_unit"] = m["cpu"] / scale
                m["server_per_unit"] = m["server_cpu"] / scale
                if runs[0].canned_requests is not None:
                    m["canned_conns"] = statistics.median(r.canned_conns for r in runs)
                    m["canned_requests"] = statistics.median(r.canned_requests for r in runs)
                out.setdefault(row, {})[tool] = m
        return out

    def table(self):
        labels = self.labels()
        meds = self.medians()
        per_what = "1k requests" if self.a.canned else "1k objects"
        lines = [
            f"| row | tool | wall (median) | rate | user s | sys s | CPU / unit | peak RSS MiB | server user s | "
            f"server sys s | server CPU / unit | CPU-bound max rate | new TCP conns / {per_what} |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        ratios = ["", "| row | objects/s or MiB/s ratio (s5rs/s5cmd) | CPU ratio | user CPU ratio | sys CPU ratio | "
                  "peak RSS ratio | server CPU ratio | ceiling: s5rs's CPU-bound max / s5cmd's rate | "
                  "server-alone ceiling / s5cmd's rate |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        self.ratio_rows = []
        for row, per in meds.items():
            for tool, m in per.items():
                if m["unit"] == "MiB":
                    rate_s, floor_s = f"{m['rate']:.0f} MiB/s", f"{m['floor_rate']:.0f} MiB/s"
                    per_unit = f"{m['cpu_per_unit'] * 1000:.2f} ms/MiB"
                    sper = f"{m['server_per_unit'] * 1000:.2f} ms/MiB"
                else:
                    noun = "lines/s" if row == "dry-run" else "obj/s"
                    rate_s, floor_s = f"{m['rate']:,.0f} {noun}", f"{m['floor_rate']:,.0f} {noun}"
                    per_unit = f"{m['cpu_per_unit'] * 1e6:.0f} µs"
                    sper = f"{m['server_per_unit'] * 1e3:.2f} ms"
                if "canned_conns" in m:
                    conns = (f"{m['canned_conns'] / m['canned_requests'] * 1000:.0f} "
                             f"({m['canned_conns']:.0f} in {m['canned_requests']:.0f}; TIME_WAIT count {m['conns']:.0f})"
                             if m["canned_requests"] else "-")
                else:
                    conns = f"{m['conns'] / m['units'] * 1000:.0f} ({m['conns']:.0f})" if m["unit"] == "obj" else f"{m['conns']:.0f}"
                lines.append(f"| {labels[row]} | {tool} | {m['wall']:.3f} s | {rate_s} | {m['user']:.2f} | {m['sys']:.2f} | "
                             f"{per_unit} | {m['rss']:.1f} | {m['server_user']:.2f} | {m['server_sys']:.2f} | {sper} | "
                             f"{floor_s} | {conns} |")
            if len(per) == 2:
                a, b = per["s5rs"], per["s5cmd"]

                def q(x, y):
                    return x / y if y else 0.0
                r = dict(row=labels[row], rate=q(a["rate"], b["rate"]), cpu=q(a["cpu"], b["cpu"]),
                         user=q(a["user"], b["user"]), sys=q(a["sys"], b["sys"]), rss=q(a["rss"], b["rss"]),
                         server=q(a["server_cpu"], b["server_cpu"]), ceiling=q(a["floor_rate"], b["rate"]),
                         server_ceiling=q(a["server_floor_rate"], b["rate"]))
                self.ratio_rows.append(r)
                ratios.append(f"| {r['row']} | {r['rate']:.2f}× | {r['cpu']:.2f}× | {r['user']:.2f}× | {r['sys']:.2f}× | "
                              f"{r['rss']:.2f}× | {r['server']:.2f}× | {r['ceiling']:.2f}× | "
                              f"{r['server_ceiling']:.2f}× |" if r["server_ceiling"] else
                              f"{r['rss']:.2f}× | {r['server']:.2f}× | {r['ceiling']:.2f}× | - |")
        return "\n".join(lines + ratios)

    def title(self):
        a = self.a
        mode = "rclone serve s3" if not a.canned else (
            f"canned-response server, {a.delay_ms} ms per request" if a.delay_ms else "canned-response server")
        return (f"s5rs vs s5cmd 2.3.0 — {mode}, --numworkers {a.numworkers}, {a.rounds} round{'s' if a.rounds != 1 else ''}"
                f"{' (quick)' if a.quick else ''}, {time.strftime('%Y-%m-%d')}")

    def save(self, path):
        """The ratios as an SVG chart at path, the medians and every run as JSON beside it."""
        runs = {row: {tool: [dict(vars(r), stdout=None) for r in rs] for tool, rs in per.items()}
                for row, per in self.results.items()}
        with open(os.path.splitext(path)[0] + ".json", "w") as f:
            json.dump({"title": self.title(), "load": open("/proc/loadavg").read().split()[:3],
                       "medians": self.medians(), "ratios": self.ratio_rows, "runs": runs}, f, indent=1)
        render_chart(path, self.title(), self.ratio_rows)


def render_chart(path, title, ratios):
    """Horizontal bars per row, log scale around 1×: objects/s (higher is better), user
    and sys CPU (lower is better), all s5rs/s5cmd."""
    import matplotlib
    import matplotlib.ticker
    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "s5rs-bench"  # the same run gives the same file
    import matplotlib.pyplot as plt

    rows = list(reversed(ratios))
    series = [("rate", "objects/s or MiB/s (higher is better)", "#2b7bba"),
              ("user", "user CPU (lower is better)", "#f0a030"),
              ("sys", "sys CPU (lower is better)", "#c04040")]
    h = 0.26
    fig, ax = plt.subplots(figsize=(10, 0.75 * len(rows) + 2.0))
    for i, (key, name, color) in enumerate(series):
        ys = [j + (1 - i) * h for j in range(len(rows))]
        vals = [max(r[key], 1e-3) for r in rows]
        # Each bar runs from the 1× line to its ratio, to the right or the left.
        ax.barh(ys, [v - 1 for v in vals], left=1, height=h, color=color, label=name)
        for y, v in zip(ys, vals):
            ax.text(v * (1.04 if v >= 1 else 1 / 1.04), y, f"{v:.2f}×", va="center",
                    ha="left" if v >= 1 else "right", fontsize=7)
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: f"{x:g}×"))
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([r["row"] for r in rows], fontsize=8)
    ax.set_xlabel("s5rs / s5cmd (log scale; 1× = equal)")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.35 / len(rows) - 0.06), ncol=3, frameon=False)
    hi = max([r[k] for r in rows for k in ("rate", "user", "sys")] + [2.0])
    lo = min([max(r[k], 1e-3) for r in rows for k in ("rate", "user", "sys")] + [0.5])
    ax.set_xlim(lo / 2.0, hi * 2.0)
    fig.tight_layout()
    fig.savefig(path, format="svg", metadata={"Date": None})
    plt.close(fig)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--replot":
        # scripts/bench.py --replot RUN.json OUT.svg: the chart of a saved run again.
        with open(sys.argv[2]) as f:
            d = json.load(f)
        render_chart(sys.argv[3], d["title"], d["ratios"])
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--s5rs", required=True)
    ap.add_argument("--s5cmd", required=True)
    ap.add_argument("--canned", help="canned-response server binary (small-object rows only)")
    ap.add_argument("--quick", action="store_true", help="small sizes, 3 rounds: a smoke run")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--numworkers", type=int, default=256)
    ap.add_argument("--rows", default="", help="comma-separated subset of rows")
    ap.add_argument("--s5cmd-dry-lines", type=int, default=20_000,
                    help="s5cmd's dry-run batch length (it plans ~500 lines/s)")
    ap.add_argument("--small-count", dest="small_count_arg", type=int, default=None,
                    help="objects in the small-object rows (default 5000, 500 with --quick)")
    ap.add_argument("--small-size", dest="small_size_arg", type=int, default=None,
                    help="bytes per small object (default 10240; 1024 with --delay-ms)")
    ap.add_argument("--delay-ms", type=int, default=0,
                    help="with --canned: the server answers every request this late (default rows "
                         "upload,download)")
    ap.add_argument("--chart", default="",
                    help="write the ratios as an SVG chart here (and the raw results as .json beside it)")
    ap.add_argument("--workdir", default=None, help="where to put data (default $TMPDIR)")
    ap.add_argument("--keep", action="store_true", help="keep the data directory")
    a = ap.parse_args()
    a.rows = [r for r in a.rows.split(",") if r]
    a.small_count, a.small_size = 5000, 10 * 1024
    a.many_count, a.many_size = 20000, 1024
    a.big_size = 1024 * MIB
    a.dry_lines = 1_000_000
    if a.quick:
        a.small_count, a.many_count, a.big_size, a.dry_lines = 500, 2000, 64 * MIB, 100_000
        a.s5cmd_dry_lines = min(a.s5cmd_dry_lines, 10_000)
    if a.delay_ms:
        if not a.canned:
            sys.exit("--delay-ms needs --canned")
        a.small_size = 1024
        a.rows = a.rows or ["upload", "download"]
    a.small_count = a.small_count if a.small_count_arg is None else a.small_count_arg
    a.small_size = a.small_size if a.small_size_arg is None else a.small_size_arg
    if a.canned:
        allowed = ["upload", "download", "ls", "rm", "copy", "run"]
        a.rows = [r for r in (a.rows or allowed) if r in allowed]
    b = Bench(a)
    try:
        b.prepare()
        b.start_server()
        print(f"data in {b.tmp}; server {b.endpoint}", file=sys.stderr)
        order = ["upload", "download", "ls", "rm", "copy", "run", "big", "sync", "dry-run"]
        for row in order:
            if b.enabled(row) or (row == "big" and (b.enabled("big-up") or b.enabled("big-down"))):
                getattr(b, "row_" + row.replace("-", ""))()
        print(f"\n### {b.title()}\n")
        print(b.table())
        if b.fs_floor:
            print(f"\nfile-system floor of the download row: one thread creating, writing and renaming "
                  f"{a.small_count} files of {a.small_size} bytes beside the downloads took "
                  f"{b.fs_floor[0]:.2f} s sys before the rounds and {b.fs_floor[1]:.2f} s after "
                  f"(ext4 without a journal skips inodes freed in the last 60 s on every create)")
        print(f"\nload average at the end: {' '.join(open('/proc/loadavg').read().split()[:3])}")
        if a.chart:
            b.save(a.chart)
            print(f"chart: {a.chart}", file=sys.stderr)
    finally:
        b.stop()


if __name__ == "__main__":
    main()
