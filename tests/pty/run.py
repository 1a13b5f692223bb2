"""Runs a command under a pseudo-terminal (stdin, stdout and stderr all the
terminal, 120x30) and prints everything it wrote to our stdout; exits with its
exit code. Usage: run.py ANSWER PROGRAM ARGS... -- when ANSWER is not "-", it is
typed (with a newline) as soon as the program asks "[y/N]".
Used by tests/cli_operator.rs for the progress bar and the delete confirmation."""

import fcntl
import os
import pty
import select
import struct
import sys
import termios

answer, argv = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
out = b""
answered = answer == "-"
while True:
    ready, _, _ = select.select([fd], [], [], 60)
    if not ready:
        break
    try:
        data = os.read(fd, 65536)
    except OSError:  # EIO: the child closed the terminal
        break
    if not data:
        break
    out += data
    if not answered and b"[y/N]" in out:
        os.write(fd, (answer + "\n").encode())
        answered = True
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.stdout.flush()
sys.exit(os.waitstatus_to_exitcode(status))
