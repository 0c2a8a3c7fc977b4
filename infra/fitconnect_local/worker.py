"""One Lambda execution environment: imports a handler once, then runs invocations one at a time.

Started by the pool as `python -I -u worker.py REQ_FD REPLY_FD CODE_DIR HANDLER LAYER_DIR...` with the
function's environment. `-I` keeps the runtime's own modules and PYTHONPATH off `sys.path`, which
is rebuilt as on Lambda: the code folder first, then the layers, then the installed packages.
Requests and replies are length-prefixed JSON on two inherited pipes, so whatever the handler
prints stays a log line. The two fds are inherited pipe ends, named on the command line.
"""

import importlib
import importlib.util
import json
import os
import secrets
import struct
import sys
import time
import traceback

_HEADER = struct.Struct(">I")
# The role's statements, from the runtime: when set, every AWS call is checked against them.
IAM_POLICY_VARIABLE = "FITCONNECT_LOCAL_IAM_POLICY"


class LambdaContext:
    """The context object handlers receive, with the attributes Powertools and Lambda define."""

    def __init__(self, request_id: str, deadline_ms: int) -> None:
        env = os.environ
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = env.get("FITCONNECT_LOCAL_FUNCTION_ARN", "")
        self.memory_limit_in_mb = int(env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.aws_request_id = request_id
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def _read_exact(fd: int, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining:
        chunk = os.read(fd, remaining)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def receive(fd: int) -> dict:
    (length,) = _HEADER.unpack(_read_exact(fd, _HEADER.size))
    return json.loads(_read_exact(fd, length))


def send(fd: int, message: dict) -> None:
    payload = json.dumps(message, default=str).encode()
    view = memoryview(_HEADER.pack(len(payload)) + payload)
    while view:  # a pipe may take a large message in several writes
        view = view[os.write(fd, view) :]


def _error(exc: BaseException) -> dict:
    return {
        "errorType": type(exc).__name__,
        "errorMessage": str(exc),
        "stackTrace": traceback.format_exception(exc),
    }


def _load_handler(handler_path: str):
    module_name, _, function_name = handler_path.rpartition(".")
    module = importlib.import_module(module_name)
    return getattr(module, function_name)


def main() -> None:
    requests_fd, replies_fd = int(sys.argv[1]), int(sys.argv[2])
    code_dir, handler_path, *layer_dirs = sys.argv[3:]
    sys.path[:0] = [code_dir, *layer_dirs]
    os.chdir(code_dir)
    started = time.perf_counter()
    _enforce_iam()
    try:
        handler = _load_handler(handler_path)
    except Exception as exc:
        send(replies_fd, {"init_error": _error(exc)})
        return
    send(replies_fd, {"ready": True, "init_ms": round((time.perf_counter() - started) * 1000, 2)})
    while True:
        try:
            request = receive(requests_fd)
        except EOFError:
            return
        _apply_invocation_environment(request)
        context = LambdaContext(request["request_id"], request["deadline_ms"])
        began = time.perf_counter()
        try:
            reply = {"ok": True, "result": handler(request["event"], context)}
        except Exception as exc:
            print(
                f"[ERROR] {type(exc).__name__}: {exc}\n{traceback.format_exc()}", file=sys.stderr, flush=True
            )
            reply = {"ok": False, "error": _error(exc)}
        reply["duration_ms"] = round((time.perf_counter() - began) * 1000, 2)
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            send(replies_fd, reply)
        except (TypeError, ValueError) as exc:  # the handler returned something JSON cannot carry
            send(replies_fd, {"ok": False, "error": _error(exc), "duration_ms": reply["duration_ms"]})


def _enforce_iam() -> None:
    policy = os.environ.pop(IAM_POLICY_VARIABLE, None)
    if policy is None:
        return
    # Loaded by path: the worker runs isolated (-I), so this folder is not on sys.path.
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "iam_guard.py")
    spec = importlib.util.spec_from_file_location("_fitconnect_local_iam_guard", path)
    guard = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(guard)
    guard.install(json.loads(policy), os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "function"))


def _apply_invocation_environment(request: dict) -> None:
    """What Lambda sets per invocation: the trace header; locally also the moved clock."""
    trace = f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)};Parent={secrets.token_hex(8)};Sampled=0"
    os.environ["_X_AMZN_TRACE_ID"] = trace
    offset = request.get("clock_offset_s")
    if offset:
        os.environ["FITCONNECT_CLOCK_OFFSET_S"] = str(offset)
    else:
        os.environ.pop("FITCONNECT_CLOCK_OFFSET_S", None)


if __name__ == "__main__":
    main()
