import gc
import sys

from app.main import main

code = main()
# The process is exiting and everything was closed explicitly (the window's close stops the
# workers, closes the HTTP client and the library; logging flushes in its atexit hook). What
# is still alive is torn down by the interpreter, whose finalization runs full collections
# over every object (~15 ms each with Qt, httpx and the app loaded, several passes) only to
# find the cycles among them and free memory the OS takes back anyway. Frozen objects are
# skipped by those passes; the ones not in cycles are still freed as modules are cleared.
gc.freeze()
sys.exit(code)
