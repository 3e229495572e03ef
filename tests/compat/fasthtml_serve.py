"""Run a FastHTML program as `python prog.py` does, under FastHTML, but bound to 127.0.0.1 on the port in PORT.

FastHTML's `serve()` calls `uvicorn.run('prog:app', host='0.0.0.0', port=PORT, reload=True)`; this wraps
`uvicorn.run` to use host 127.0.0.1 (tests reach nothing else) and changes nothing more: uvicorn's reloader
still runs the module again in its server process, as it does for FastHTML users.
Usage: PORT=0 python fasthtml_serve.py prog.py
"""

import os
import runpy
import sys

import uvicorn

if __name__ == "__main__":  # not in the reloader's server process, which imports this file again
    run = uvicorn.run

    def run_on_loopback(app, **options):
        options["host"] = "127.0.0.1"
        return run(app, **options)

    uvicorn.run = run_on_loopback
    program = os.path.abspath(sys.argv[1])
    sys.argv = sys.argv[1:]
    sys.path[0] = os.path.dirname(program)
    runpy.run_path(program, run_name="__main__")
