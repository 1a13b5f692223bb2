#!/usr/bin/env python3
# Side-by-side benchmark of s5rs against s5cmd 2.3.0 (driven by scripts/bench.sh).
#
# Starts an S3 server on 127.0.0.1 (rclone serve s3, or with --canned the canned-response
# server examples/canned_objects.rs), generates data, and runs s5rs and s5cmd alternately
# (A B A B ...) with the same --numworkers, each round into a fresh prefix/directory.
# Every run is timed (wall), its CPU (user+sys) and peak RSS read from wait4()'s rusage,
# and checked (object counts and checksums on the server's disk or the local side), so a
# fast wrong run fails the benchmark instead of winning it. Prints a Markdown table.
#
#   scripts/bench.py --s5rs BIN --s5cmd BIN [--quick] [--canned BIN] [--rounds N]
#                    [--numworkers N] [--rows upload,download,...] [--keep]
import argparse
import hashlib
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

AK = "AKIDS5RSBENCH01"
SK = "s5rs-bench-secret-0001"
BUCKET = "bench"
MIB = 1024 * 1024
# KEEP_SMALL_OUTPUTS: the files a download round writes stay until the whole benchmark
# ends (unique directories keep rounds apart). Deleting 5,000 files between rounds
# made the next rounds' file creation slow: ext4 without a journal skips inodes
# deleted in the last 60 s (360 s while their table block is dirty) when it allocates
# new ones (`recently_deleted` and `find_inode_bit` topped a profile of such a
# download; the same binary's download took 0.39 s in a first round and 1.6-1.7 s
# after a clean-up). Both tools paid it, but it was the harness's cost, not theirs.
# What rounds write on the server is still removed after each round: rclone slows
# down as a bucket fills up.


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


class Run:
    """One timed child process."""

    def __init__(self, wall, user, sys_, rss_kib, rc, stdout_path):
        self.wall, self.user, self.sys = wall, user, sys_
        self.cpu = user + sys_
        self.rss_kib, self.rc, self.stdout = rss_kib, rc, stdout_path


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

    # --- server -------------------------------------------------------------------
    def start_server(self):
        log = os.path.join(self.tmp, "server.log")
        if self.a.canned:
            argv = [self.a.canned, "--port", str(self.port), "--objects", str(self.a.small_count),
                    "--size", str(self.a.small_size)]
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
        """CPU seconds the server process has used so far (from /proc)."""
        try:
            with open(f"/proc/{self.server.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            return 0.0

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
        scpu = self.server_cpu()
        r = timed(self.argv(tool, args, dry_run), self.env, out, stdin_path)
        r.server_cpu = self.server_cpu() - scpu
        if r.rc != 0:
            err = open(out + ".err", errors="replace").read()[-2000:]
            sys.exit(f"{row}/{tool}: exit {r.rc}\n{err}\n{open(out, errors='replace').read()[-2000:]}")
        problem = check(r)
        if problem:
            sys.exit(f"{row}/{tool}: WRONG RESULT: {problem} (output in {out})")
        r.units = units
        self.results.setdefault(row, {}).setdefault(tool, []).append(r)
        print(f"  {row:<10} {tool:<6} {r.wall:7.3f}s cpu {r.cpu:6.2f}s (user {r.user:5.2f}s) rss {r.rss_kib / 1024:7.1f} MiB"
              f"  server cpu {r.server_cpu:5.2f}s", file=sys.stderr, flush=True)
        return r

    def rounds(self, row, body):
        """Runs body(tool, round) for s5rs and s5cmd alternately."""
        for rnd in range(self.a.rounds):
            for tool in (("s5rs", "s5cmd") if rnd % 2 == 0 else ("s5cmd", "s5rs")):
                body(tool, rnd)

    def srv(self, *parts):
        return os.path.join(self.data, BUCKET, *parts)

    def clear_server_prefix(self, prefix):
        """Removes what a round wrote on the server, so the server's own state stays
        the same from round to round (rclone slows down as a bucket fills up)."""
        if not self.a.canned:
            shutil.rmtree(self.srv(prefix))

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
        if not a.canned and self.enabled("big"):
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
        self.rounds("download", body)

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
            shutil.rmtree(self.srv(prefix))

        def download(row, verify):
            def body(tool, rnd):
                dst = os.path.join(self.local, f"{row}-{tool}-{rnd}")
                os.makedirs(dst)

                def check(r):
                    got = md5_file(os.path.join(dst, "big.bin"))
                    return None if got == self.big_md5 else f"md5 {got} != {self.big_md5}"
                # s5cmd verifies nothing; s5rs checks the MD5 ETag unless told not to,
                # so the second row shows the transfer alone and the first its cost.
                flags = ["--no-verify"] if tool == "s5rs" and not verify else []
                self.run(row, tool, flags + ["cp", f"s3://{BUCKET}/seed/big/big.bin", dst + "/"],
                         check, units=size)
                shutil.rmtree(dst)
            return body
        self.rounds("big-up", up)
        self.rounds("big-down", download("big-down", True))
        self.rounds("big-down-nv", download("big-down-nv", False))

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
        batches = {}
        for tool, n in sizes.items():
            batches[tool] = os.path.join(self.tmp, f"dryrun-{n}.txt")
            with open(batches[tool], "w") as f:
                for i in range(n):
                    f.write(f"cp s3://{BUCKET}/src/dir/k{i:08d} s3://{BUCKET}/dst/dir/k{i:08d}\n")

        def body(tool, rnd):
            n = sizes[tool]

            def check(r):
                lines = count_lines(r.stdout)
                return None if lines == n else f"{lines} lines, expected {n}"
            self.run("dry-run", tool, ["run", batches[tool]], check, dry_run=True, units=n)
        self.rounds("dry-run", body)

    # --- report -------------------------------------------------------------------
    def table(self):
        byte_rows = {"big-up", "big-down", "big-down-nv"}
        labels = {
            "upload": f"upload {self.a.small_count} × {self.a.small_size // 1024} KiB",
            "download": f"download {self.a.small_count} × {self.a.small_size // 1024} KiB",
            "ls": f"ls {self.a.small_count} objects",
            "rm": f"rm {self.a.small_count} objects",
            "copy": f"S3→S3 cp {self.a.small_count} objects",
            "run": f"run: {self.a.small_count if self.a.canned else self.a.many_count}-line cp batch",
            "big-up": f"upload 1 × {self.a.big_size // MIB} MiB",
            "big-down": f"download 1 × {self.a.big_size // MIB} MiB",
            "big-down-nv": f"download 1 × {self.a.big_size // MIB} MiB, s5rs --no-verify",
            "sync": f"sync, nothing to do, {self.a.many_count} objects",
            "dry-run": f"--dry-run batch (s5rs {self.a.dry_lines:,} lines, s5cmd "
                       f"{min(self.a.dry_lines, self.a.s5cmd_dry_lines):,})",
        }
        lines = [
            "| row | tool | wall (median) | rate | client CPU s (user+sys) | user s | CPU / unit | peak RSS MiB | server CPU s |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        ratios = ["", "| row | objects/s or MiB/s ratio (s5rs/s5cmd) | CPU ratio | user CPU ratio | peak RSS ratio |",
                  "|---|---:|---:|---:|---:|"]
        for row, per in self.results.items():
            med = {}
            for tool in ("s5rs", "s5cmd"):
                runs = per.get(tool, [])
                if not runs:
                    continue
                wall = statistics.median(r.wall for r in runs)
                cpu = statistics.median(r.cpu for r in runs)
                user = statistics.median(r.user for r in runs)
                rss = max(r.rss_kib for r in runs) / 1024
                scpu = statistics.median(r.server_cpu for r in runs)
                units = runs[0].units
                if row in byte_rows:
                    rate = units / MIB / wall
                    rate_s = f"{rate:.0f} MiB/s"
                    per_unit = f"{cpu / (units / MIB) * 1000:.2f} ms/MiB"
                else:
                    rate = units / wall
                    rate_s = f"{rate:,.0f} obj/s" if row != "dry-run" else f"{rate:,.0f} lines/s"
                    per_unit = f"{cpu / units * 1e6:.0f} µs"
                med[tool] = (rate, cpu, rss, user)
                lines.append(f"| {labels[row]} | {tool} | {wall:.3f} s | {rate_s} | {cpu:.2f} | {user:.2f} | {per_unit} | "
                             f"{rss:.1f} | {scpu:.2f} |")
            if len(med) == 2:
                (r1, c1, m1, u1), (r2, c2, m2, u2) = med["s5rs"], med["s5cmd"]
                ratios.append(f"| {labels[row]} | {r1 / r2:.2f}× | {c1 / c2 if c2 else 0:.2f}× | "
                              f"{u1 / u2 if u2 else 0:.2f}× | {m1 / m2:.2f}× |")
        return "\n".join(lines + ratios)


def main():
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
        mode = "canned-response server" if a.canned else "rclone serve s3"
        print(f"\n### s5rs vs s5cmd 2.3.0 — {mode}, --numworkers {a.numworkers}, "
              f"{a.rounds} rounds{' (quick)' if a.quick else ''}\n")
        print(b.table())
    finally:
        b.stop()


if __name__ == "__main__":
    main()
