"""What every peer script shares: the workloads' functions (module level, so worker processes can unpickle them)
and the one output line per timed run that bench/run reads."""
import sys
import time


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def sum_squares(n):
    return sum(i * i for i in range(n))


def noop(x):
    return x


FUNCTIONS = {"fib": fib, "sum-squares": sum_squares, "noop": noop}


def emit(system, items, seconds):
    """One timed run: SYSTEM<TAB>ITEMS<TAB>SECONDS."""
    print(f"{system}\t{items}\t{seconds:.6f}", flush=True)


def timed(function):
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def fail(message):
    print(f"{sys.argv[0].rsplit('/', 1)[-1]}: {message}", file=sys.stderr)
    sys.exit(2)


def check(condition, message):
    """A peer that computed a wrong answer must not report a time."""
    if not condition:
        fail("wrong result: " + message)
