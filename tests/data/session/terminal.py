"""Runs a command on a pseudo-terminal and answers its questions as a user at a terminal would.

    terminal.py TIMEOUT DIALOG COMMAND [ARG...]

DIALOG is a JSON list of [text, answer, secret]: once the terminal has shown `text` (after
the previous step's), `answer` and a line end are typed; with `secret` true, only after the
program has turned the terminal's echo off (as it must before reading a password), so that
an echo seen in the transcript is the program's fault, not a race. Prints what the terminal
showed (the transcript) on stdout and exits with the command's exit status; 124 when the
command has not ended within TIMEOUT seconds (it is killed), 125 when a secret question
never turned the echo off.
"""

import json
import os
import pty
import select
import signal
import sys
import termios
import time


def main():
    timeout = float(sys.argv[1])
    dialog = json.loads(sys.argv[2])
    command = sys.argv[3:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    deadline = time.monotonic() + timeout
    transcript = b""
    seen = 0
    step = 0
    code = None
    while code is None:
        left = deadline - time.monotonic()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            code = 124
            break
        ready, _, _ = select.select([fd], [], [], min(left, 0.2))
        if ready:
            try:
                data = os.read(fd, 4096)
            except OSError:  # EIO: the command has ended and closed the terminal
                data = b""
            if not data:
                _, status = os.waitpid(pid, 0)
                code = os.waitstatus_to_exitcode(status)
                break
            transcript += data
        while step < len(dialog):
            text, answer, secret = dialog[step]
            at = transcript.find(text.encode(), seen)
            if at < 0:
                break
            if secret and not wait_for_no_echo(fd, deadline):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                code = 125
                break
            os.write(fd, answer.encode() + b"\r")
            seen = at + len(text)
            step += 1
    sys.stdout.write(transcript.decode(errors="replace"))
    sys.exit(code)


def wait_for_no_echo(fd, deadline):
    while time.monotonic() < deadline:
        if not termios.tcgetattr(fd)[3] & termios.ECHO:
            return True
        time.sleep(0.01)
    return False


main()
