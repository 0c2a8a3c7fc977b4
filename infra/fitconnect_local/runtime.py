"""The local runtime: services up, resources provisioned, functions served and triggered.

runtime = LocalRuntime("template.yaml", Ports.from_environment())
runtime.start()      # moto, localstripe and the broker start in parallel; < 5 s once installed
...                  # http://127.0.0.1:3000 serves the API and /_local/ control routes
runtime.stop()       # workers, pollers, services: nothing left behind
"""

from __future__ import annotations

import base64
import json
import math
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlencode

from botocore.exceptions import ClientError

from deploy.strava_subscription import RegistrationRefused, register, store_subscription_id
from fitconnect_local import iam_guard
from fitconnect_local.apigw import Gateway
from fitconnect_local.functions import FunctionSpec, function_specs
from fitconnect_local.iam import Policies, load_policies, trigger_denials
from fitconnect_local.iot import IotBridge, IotRoute, iot_routes, substitute
from fitconnect_local.kinesis_sources import KinesisShardSource
from fitconnect_local.metrics import EmfMetrics, TextBody
from fitconnect_local.processes import Service, resident_memory
from fitconnect_local.provision import Provisioner, aws_client
from fitconnect_local.schedules import ScheduleJob, Scheduler, schedule_jobs
from fitconnect_local.sqs_sources import RuleDelivery, SqsSource
from fitconnect_local.template import REGION, Template, TemplateError, load_template
from fitconnect_local.worker import IAM_POLICY_VARIABLE
from fitconnect_local.workers import DEFAULT_WORKER_BUDGET, FunctionPool, Invocation, WorkerBudget

ASYNC_RETRIES = 2  # Lambda retries a failed asynchronous invocation twice
STRAVA_URL_VARIABLE = "FITCONNECT_STRAVA_URL"
STRIPE_URL_VARIABLE = "FITCONNECT_STRIPE_URL"
STRIPE_JS_URL_VARIABLE = "FITCONNECT_STRIPE_JS_URL"
STORAGE_URL_VARIABLE = "FITCONNECT_STORAGE_URL"


@dataclass(frozen=True)
class Ports:
    api: int = 3000
    aws: int = 4566
    stripe: int = 8420
    mqtt: int = 1883
    strava: int = 8431

    @classmethod
    def from_environment(cls) -> Ports:
        env = os.environ
        return cls(
            api=int(env.get("FITCONNECT_API_PORT", cls.api)),
            aws=int(env.get("FITCONNECT_AWS_PORT", cls.aws)),
            stripe=int(env.get("FITCONNECT_STRIPE_PORT", cls.stripe)),
            mqtt=int(env.get("FITCONNECT_MQTT_PORT", cls.mqtt)),
            strava=int(env.get("FITCONNECT_STRAVA_PORT", cls.strava)),
        )


class LocalRuntime:
    def __init__(
        self,
        template_path: str | Path,
        ports: Ports,
        *,
        parameters: dict[str, str] | None = None,
        out: TextIO | None = None,
        async_retry_delays_s: tuple[float, ...] = (1.0, 2.0),
        max_concurrency: int = 4,
        max_workers: int | None = None,
        environ: dict[str, str] | None = None,
    ) -> None:
        self.template_path = Path(template_path)
        self.ports = ports
        self.strava_endpoint = f"http://127.0.0.1:{ports.strava}"
        self.stripe_endpoint = f"http://127.0.0.1:{ports.stripe}"
        self.parameters = {"Stage": "local", **(parameters or {})}
        self.environ = dict(os.environ) if environ is None else dict(environ)
        # Strava is the stand-in: a template that maps a parameter to this variable
        # (Metadata.LocalRuntime.ParameterEnvironment) points its functions at it.
        self.environ.setdefault(STRAVA_URL_VARIABLE, self.strava_endpoint)
        # So is Stripe: the web client's Stripe.js comes from localstripe (stripe_server.py).
        self.environ.setdefault(STRIPE_URL_VARIABLE, self.stripe_endpoint)
        self.environ.setdefault(STRIPE_JS_URL_VARIABLE, f"{self.stripe_endpoint}/js.stripe.com/v3/")
        # And S3 is moto: browsers upload avatars to it (the template's StorageOrigin).
        self.environ.setdefault(STORAGE_URL_VARIABLE, f"http://127.0.0.1:{ports.aws}")
        self.out = out or sys.stdout
        self.async_retry_delays_s = async_retry_delays_s
        self.max_concurrency = max_concurrency
        # All functions' workers together (FITCONNECT_LOCAL_MAX_WORKERS): see workers.WorkerBudget.
        self.budget = WorkerBudget(
            max_workers or int(os.environ.get("FITCONNECT_LOCAL_MAX_WORKERS") or DEFAULT_WORKER_BUDGET)
        )
        self.aws_endpoint = f"http://127.0.0.1:{ports.aws}"
        self.api_url = f"http://127.0.0.1:{ports.api}"
        self.clock_offset_s = 0.0
        self.logs: dict[str, deque[str]] = defaultdict(lambda: deque(maxlen=2000))
        self.metrics = EmfMetrics()  # GET /_local/metrics
        self._print_lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._async = ThreadPoolExecutor(max_workers=8, thread_name_prefix="async-invoke")
        self.services = [
            Service("moto", "fitconnect_local.moto_server", ports.aws, self._emit),
            Service("stripe", "fitconnect_local.stripe_server", ports.stripe, self._emit),
            Service("mqtt", "fitconnect_local.mqtt_broker", ports.mqtt, self._emit),
            Service("strava", "fitconnect_local.strava_standin", ports.strava, self._emit),
        ]
        self.template: Template | None = None
        self.functions: dict[str, FunctionSpec] = {}
        self.policies = Policies()
        self.denied_triggers: dict[tuple[str, str], str] = {}
        self.pools: dict[str, FunctionPool] = {}
        self.jobs: list[ScheduleJob] = []
        self.scheduler: Scheduler | None = None
        self.gateway: Gateway | None = None
        self.iot: IotBridge | None = None
        self.startup_s = 0.0
        self._kinesis_client: Any = None
        self._stream_arn_by_name: dict[str, str] | None = None

    # -- lifecycle
    def start(self) -> None:
        started = time.perf_counter()
        try:
            self.template = load_template(
                self.template_path, parameters=self.parameters, environ=self.environ
            )
            self.functions = function_specs(self.template)
            # As AWS: a trigger reaches a function only where the translated templates grant it.
            self.policies = load_policies(self.template)
            self.denied_triggers = trigger_denials(self.template, self.functions, self.policies)
            self._refuse_unpollable_queues()
            self.jobs = schedule_jobs(self.functions)
            routes = iot_routes(self.template, self.functions)
            for service in self.services:
                service.start()
            for service in self.services:
                service.wait_ready()
            provisioner = Provisioner(self.template, self.aws_endpoint, self.functions)
            seeding = self._start_seed()  # imports while the store is provisioned
            rule_routes = provisioner.provision()
            self._release_seed(seeding)
            self.pools = {
                logical_id: FunctionPool(
                    spec,
                    self._function_environment(spec),
                    emit=self._emit,
                    clock_offset=lambda: self.clock_offset_s,
                    max_concurrency=self.max_concurrency,
                    budget=self.budget,
                )
                for logical_id, spec in self.functions.items()
            }
            self.gateway = Gateway(
                self.template,
                self.functions,
                self.invoke,
                self._control,
                self.policies,
                self._emit,
            )
            self.gateway.serve(self.ports.api)
            self._start_sqs_sources()
            self._start_kinesis_sources()
            sqs = aws_client("sqs", self.aws_endpoint)
            for route in rule_routes:
                self._spawn(RuleDelivery(route, sqs, self._trigger_invoker(route.source), self._stop))
            # Schedules follow the functions' clock: moving it (POST /_local/clock) fires what is due.
            self.scheduler = Scheduler(self.jobs, self._fire_scheduled, self._stop, now=self._now)
            self._spawn(self.scheduler)
            self.iot = IotBridge(
                routes,
                self.ports.mqtt,
                self._deliver_iot,
                lambda line: self._emit("runtime", line),
            )
            self.iot.start()
            self._register_stripe_webhooks(provisioner.secret_values)
            self._register_strava_subscription(provisioner.secret_values)
            self._spawn(threading.Thread(target=self._janitor, name="janitor", daemon=True))
            self._finish_seed(seeding)
        except BaseException:
            self.stop()
            raise
        self.startup_s = time.perf_counter() - started

    def stop(self) -> None:
        self._stop.set()
        if self.scheduler is not None:
            self.scheduler.kick()
        if self.gateway is not None:
            self.gateway.stop()
        if self.iot is not None:
            self.iot.stop()
        self._async.shutdown(wait=False, cancel_futures=True)
        for pool in self.pools.values():
            pool.close()
        for service in self.services:
            service.stop()

    def _spawn(self, thread: threading.Thread) -> None:
        thread.start()
        self._threads.append(thread)

    def _janitor(self) -> None:
        while not self._stop.wait(60):
            for pool in self.pools.values():
                pool.reap_idle()

    # -- environment and logs
    def _function_environment(self, spec: FunctionSpec) -> dict[str, str]:
        lambda_env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": "local",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
            "_HANDLER": spec.handler,
            "LAMBDA_TASK_ROOT": str(spec.code_dir),
        }
        # The only local difference: where the AWS and Stripe endpoints are.
        endpoints = {"AWS_ENDPOINT_URL": self.aws_endpoint, "STRIPE_API_BASE": self.stripe_endpoint}
        # The worker enforces the role's statements on every AWS call, and hides them from the code.
        iam = {IAM_POLICY_VARIABLE: json.dumps(self.policies.function_statements(spec.logical_id))}
        return {**lambda_env, **endpoints, **spec.environment, **iam}

    def _start_seed(self) -> subprocess.Popen[str] | None:
        """The template's seed script (`Metadata.LocalRuntime.Seed`), run like a function would be:
        every function's environment merged, the layers on the path, the store's endpoint."""
        assert self.template is not None
        script = ((self.template.body.get("Metadata") or {}).get("LocalRuntime") or {}).get("Seed")
        if not script or not self.functions:
            return None
        spec = next(iter(self.functions.values()))
        environment = self._function_environment(spec)
        for other in self.functions.values():
            environment.update(other.environment)
        paths = [str(path) for path in spec.layer_dirs] + [str(self.template.root / "infra")]
        environment["PYTHONPATH"] = os.pathsep.join(paths)
        environment.pop("LAMBDA_TASK_ROOT", None)  # not a Lambda: no X-Ray segments to attach to
        environment.update({"POWERTOOLS_TRACE_DISABLED": "true", "AWS_XRAY_SDK_ENABLED": "false"})
        # The script starts before the store exists: it imports, then waits for a line on stdin.
        environment["FITCONNECT_SEED_WAIT"] = "1"
        return subprocess.Popen(
            [sys.executable, str(self.template.root / script)],
            env=environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    @staticmethod
    def _release_seed(seeding: subprocess.Popen[str] | None) -> None:
        if seeding is not None and seeding.stdin is not None:
            try:
                seeding.stdin.write("provisioned\n")
                seeding.stdin.close()
            except BrokenPipeError:
                pass  # the script died while importing: _finish_seed reports its output

    def _finish_seed(self, seeding: subprocess.Popen[str] | None) -> None:
        if seeding is None:
            return
        output = seeding.stdout.read() if seeding.stdout else ""
        seeding.wait(timeout=60)
        for line in output.splitlines():
            self._emit("seed", line)
        if seeding.returncode != 0:
            raise RuntimeError(f"the seed script failed (exit {seeding.returncode}); see the [seed] lines")

    def _emit(self, source: str, line: str) -> None:
        self.logs[source].append(line)
        self.metrics.observe(source, line)
        with self._print_lock:
            print(f"[{source}] {line}", file=self.out, flush=True)

    # -- invocation
    def invoke(self, function_id: str, event: Any) -> Invocation:
        return self.pools[function_id].invoke(event)

    def invoke_async(self, function_id: str, event: Any) -> None:
        """Lambda's asynchronous invocation: queued, retried twice on error, then logged as lost."""

        def attempt() -> None:
            for retry in range(ASYNC_RETRIES + 1):
                if self._stop.is_set():
                    return
                outcome = self.invoke(function_id, event)
                if outcome.ok:
                    return
                if retry < ASYNC_RETRIES:
                    delay = self.async_retry_delays_s[min(retry, len(self.async_retry_delays_s) - 1)]
                    self._stop.wait(delay)
            self._emit(
                function_id, "[runtime] asynchronous invocation failed after 3 attempts; event dropped"
            )

        if not self._stop.is_set():
            self._async.submit(attempt)

    def _fire_scheduled(self, job: ScheduleJob, fired_at: datetime) -> None:
        self._trigger_invoker(job.name)(job.function_id, job.payload(fired_at))

    def _trigger_invoker(self, source: str) -> Any:
        """invoke_async for one trigger (an event of a function, or an explicit rule): a trigger AWS
        would not be allowed to deliver logs why and delivers nothing."""

        def deliver(function_id: str, payload: Any) -> None:
            denial = self.denied_triggers.get((function_id, source))
            if denial is not None:
                self._emit(function_id, f"[runtime] {source} may not invoke {function_id}: {denial}")
                return
            self.invoke_async(function_id, payload)

        return deliver

    def _deliver_iot(self, route: IotRoute, payload: Any, topic: str) -> None:
        """A topic rule's action: a function invoked, or a record put on a stream. When AWS could not
        deliver, the rule's error action (an SQS queue, sent to with the rule's role) gets the
        failure, as IoT Core sends it."""
        if route.stream_name is not None:
            stream_arn, problem = self._put_on_stream(route, payload, topic)
            if problem:
                self._rule_failed(route, payload, topic, ("KinesisAction", stream_arn, problem))
            return
        assert route.function_id is not None
        self._trigger_invoker(route.source)(route.function_id, payload)  # logs and drops when refused
        denial = self.denied_triggers.get((route.function_id, route.source))
        if denial is not None:
            failed = ("LambdaAction", self.functions[route.function_id].arn, denial)
            self._rule_failed(route, payload, topic, failed)

    def _put_on_stream(self, route: IotRoute, payload: Any, topic: str) -> tuple[str, str | None]:
        """(the stream's ARN, why the record could not be put or None)."""
        assert route.stream_name is not None
        arn = self._stream_arns().get(route.stream_name, f"stream/{route.stream_name}")
        if not self.policies.role_allows(route.role_arn, "kinesis:PutRecord", arn):
            return arn, f"the rule's role {route.role_arn or '(none)'} may not kinesis:PutRecord on {arn}"
        key = substitute(route.partition_key, payload, topic)
        if not key:
            return arn, f"the partition key {route.partition_key!r} is empty for this message"
        try:
            self._kinesis().put_record(
                StreamName=route.stream_name, Data=json.dumps(payload).encode(), PartitionKey=key[:256]
            )
        except ClientError as error:
            return arn, str(error)
        return arn, None

    def _kinesis(self) -> Any:
        """One client for the IoT bridge's puts (a client per message was most of their time)."""
        if self._kinesis_client is None:
            self._kinesis_client = aws_client("kinesis", self.aws_endpoint)
        return self._kinesis_client

    def _stream_arns(self) -> dict[str, str]:
        """Stream name → ARN, read from the template once (the IoT bridge asks per message)."""
        if self._stream_arn_by_name is None:
            assert self.template is not None
            self._stream_arn_by_name = {
                stack.physical[logical_id].ref: stack.physical[logical_id].attrs["Arn"]
                for stack, logical_id in self.template.each("AWS::Kinesis::Stream")
            }
        return self._stream_arn_by_name

    def _rule_failed(self, route: IotRoute, payload: Any, topic: str, failed: tuple[str, str, str]) -> None:
        action, resource, message = failed
        self._emit("runtime", f"[iot] {route.source}: {action} failed on {resource}: {message}")
        if route.error_queue_url is None:
            return
        queue_arn = iam_guard.queue_arn(route.error_queue_url)
        if not self.policies.role_allows(route.error_role_arn or "", "sqs:SendMessage", queue_arn):
            self._emit("runtime", f"[runtime] {route.source}: its error action may not send to {queue_arn}")
            return
        failure = {
            "ruleName": route.rule_name,
            "topic": topic,
            "base64OriginalPayload": base64.b64encode(json.dumps(payload).encode()).decode(),
            "failures": [{"failedAction": action, "failedResource": resource, "errorMessage": message}],
        }
        aws_client("sqs", self.aws_endpoint).send_message(
            QueueUrl=route.error_queue_url, MessageBody=json.dumps(failure)
        )

    def _refuse_unpollable_queues(self) -> None:
        """CloudFormation fails to create an SQS event source mapping whose role cannot poll."""
        for (function_id, source), denial in self.denied_triggers.items():
            polled = self.functions[function_id].events_of("SQS", "Kinesis")
            if any(event.name == source for event in polled):
                raise TemplateError(f"{function_id}.{source}: {denial}")

    def _start_sqs_sources(self) -> None:
        assert self.template is not None
        arn_to_queue = {
            stack.physical[logical_id].attrs.get("Arn"): stack.physical[logical_id]
            for stack, logical_id in self.template.each("AWS::SQS::Queue")
        }
        for function_id, spec in self.functions.items():
            for source in spec.events_of("SQS"):
                queue_arn = str(source.properties["Queue"])
                queue = arn_to_queue.get(queue_arn)
                if queue is None:
                    raise TemplateError(
                        f"{function_id}.{source.name}: queue {queue_arn} is not in the template"
                    )
                self._spawn(
                    SqsSource(
                        function_id=function_id,
                        queue_url=queue.ref,
                        queue_arn=queue_arn,
                        properties=source.properties,
                        sqs=aws_client("sqs", self.aws_endpoint),
                        invoke=self.invoke,
                        stop=self._stop,
                    )
                )

    def _start_kinesis_sources(self) -> None:
        """One poller per shard of each stream a function reads (Kinesis event sources)."""
        assert self.template is not None
        streams = {
            stack.physical[logical_id].attrs["Arn"]: stack.physical[logical_id].ref
            for stack, logical_id in self.template.each("AWS::Kinesis::Stream")
        }
        queue_urls = {
            stack.physical[logical_id].attrs["Arn"]: stack.physical[logical_id].ref
            for stack, logical_id in self.template.each("AWS::SQS::Queue")
        }
        kinesis = aws_client("kinesis", self.aws_endpoint)
        for function_id, spec in self.functions.items():
            for source in spec.events_of("Kinesis"):
                stream_arn = str(source.properties["Stream"])
                if stream_arn not in streams:
                    raise TemplateError(
                        f"{function_id}.{source.name}: stream {stream_arn} is not in the template"
                    )
                for shard in kinesis.list_shards(StreamName=streams[stream_arn])["Shards"]:
                    self._spawn(
                        KinesisShardSource(
                            function_id=function_id,
                            stream_name=streams[stream_arn],
                            stream_arn=stream_arn,
                            shard_id=shard["ShardId"],
                            properties=source.properties,
                            role_arn=self.policies.function_roles.get(function_id, ""),
                            kinesis=aws_client("kinesis", self.aws_endpoint),
                            sqs=aws_client("sqs", self.aws_endpoint),
                            queue_url_of=queue_urls.__getitem__,
                            invoke=lambda function_id, event: self.invoke(function_id, event),
                            log=lambda line, function_id=function_id: self._emit(function_id, line),
                            stop=self._stop,
                        )
                    )

    def _secrets_marked(self, mark: str, secret_values: dict[str, str]) -> list[tuple[str, str, Any]]:
        """(logical id, local value, the mark's settings) of each secret whose
        `Metadata.LocalRuntime` carries `mark`."""
        assert self.template is not None
        marked = []
        for logical_id, value in secret_values.items():
            resource = self.template.owner(logical_id).resources[logical_id]
            settings = ((resource.get("Metadata") or {}).get("LocalRuntime") or {}).get(mark)
            if settings:
                marked.append((logical_id, value, settings))
        return marked

    def _register_stripe_webhooks(self, secret_values: dict[str, str]) -> None:
        assert self.template is not None
        assert self.gateway is not None
        for logical_id, value, webhook in self._secrets_marked("StripeWebhook", secret_values):
            path = str(webhook["Path"])
            if self.gateway.match("POST", path) is None:
                raise TemplateError(f"{logical_id}: StripeWebhook path {path} has no POST route")
            key = webhook.get("SecretKey")
            signing_secret = json.loads(value)[key] if key else value
            form = urlencode({"url": f"{self.api_url}{path}", "secret": signing_secret}).encode()
            request = urllib.request.Request(
                f"{self.stripe_endpoint}/_config/webhooks/{logical_id}", data=form
            )
            urllib.request.urlopen(request, timeout=5).close()

    def _register_strava_subscription(self, secret_values: dict[str, str]) -> None:
        """As `make strava-subscription` does for a stage: the stand-in gets the application's
        credentials (the template's StravaSecret) and the webhook is subscribed, its id stored."""
        assert self.template is not None
        assert self.gateway is not None
        for logical_id, value, subscription in self._secrets_marked("StravaSubscription", secret_values):
            path = str(subscription["Path"])
            if self.gateway.match("POST", path) is None or self.gateway.match("GET", path) is None:
                raise TemplateError(f"{logical_id}: StravaSubscription path {path} needs GET and POST routes")
            app = json.loads(secret_values[str(subscription["App"])])
            request = urllib.request.Request(
                f"{self.strava_endpoint}/_standin/app", data=json.dumps(app).encode(), method="PUT"
            )
            urllib.request.urlopen(request, timeout=5).close()
            verify_token = str(json.loads(value)["verify_token"])
            callback = f"{self.api_url}{path}"
            for attempt in range(3):  # Strava allows 2 s for the challenge; a cold worker may miss it once
                try:
                    subscription_id = register(self.strava_endpoint, app, callback, verify_token)
                    break
                except RegistrationRefused:
                    if attempt == 2:
                        raise
            secret_arn = self.template.owner(logical_id).physical[logical_id].ref
            store_subscription_id(
                aws_client("secretsmanager", self.aws_endpoint), secret_arn, subscription_id
            )

    # -- /_local/ control routes
    def _control(self, method: str, path: str, query: dict[str, str], body: bytes) -> tuple[int, Any]:
        parts = path.removeprefix("/_local/").strip("/").split("/")
        try:
            payload = json.loads(body) if body else {}
        except ValueError:
            return 400, {"message": "body is not JSON"}
        match method, parts:
            case "GET", ["functions"]:
                return 200, {"items": [self._function_info(fid) for fid in self.functions]}
            case "GET", ["functions", function_id, "logs"] if function_id in self.functions:
                tail = query.get("tail", "200")
                if not tail.isdigit():
                    return 400, {"message": "tail is a number of lines"}
                return 200, {"lines": list(self.logs[function_id])[-int(tail) :]}
            case "POST", ["functions", function_id, "invoke"] if function_id in self.functions:
                return 200, _invocation_json(self.invoke(function_id, payload))
            case "POST", ["schedules", function_id] if function_id in self.functions:
                return self._fire_now(function_id)
            case "GET" | "DELETE", ["outbox"]:
                return self._outbox(method)
            case "GET", ["clock"]:
                return 200, self._clock_info()
            case "POST", ["clock"]:
                return self._set_clock(payload)
            case "POST", ["authorizer-cache", "flush"]:
                assert self.gateway is not None
                self.gateway.flush_authorizer_cache()
                return 204, {}
            case "GET", ["metrics"]:
                stats = {fid: {**vars(pool.stats)} for fid, pool in self.pools.items()}
                text = self.metrics.exposition(stats)
                return 200, TextBody(text, "text/plain; version=0.0.4; charset=utf-8")
            case "GET", ["iot"]:
                return 200, vars(self.iot.stats) if self.iot else {}
            case "GET", ["resources"]:
                return 200, self._resources()
            case "GET", ["memory"]:
                return 200, self.memory()
        return 404, {"message": f"no local control route {method} {path}"}

    def memory(self) -> dict[str, Any]:
        """The runtime's resident memory (itself, its services and every worker) and its workers."""
        return {
            **resident_memory(),
            "workers": self.budget.live(),
            "worker_budget": self.budget.limit,
            "workers_stopped_for_budget": self.budget.evicted,
        }

    def _function_info(self, function_id: str) -> dict[str, Any]:
        spec, pool = self.functions[function_id], self.pools[function_id]
        return {
            "logical_id": function_id,
            "name": spec.name,
            "handler": spec.handler,
            "events": [f"{event.type}:{event.name}" for event in spec.events],
            "warm_workers": pool.warm_workers(),
            **pool.stats.as_dict(),
        }

    def _fire_now(self, function_id: str) -> tuple[int, Any]:
        jobs = [job for job in self.jobs if job.function_id == function_id]
        if not jobs:
            return 404, {"message": f"{function_id} has no Schedule or ScheduleV2 event"}
        now = self._now()
        results = [
            {"schedule": job.name, **_invocation_json(self.invoke(function_id, job.payload(now)))}
            for job in jobs
        ]
        return 200, {"function": function_id, "invocations": results}

    def _outbox(self, method: str) -> tuple[int, Any]:
        request = urllib.request.Request(f"{self.aws_endpoint}/_fitconnect/outbox", method=method)
        with urllib.request.urlopen(request, timeout=5) as response:
            if method == "DELETE":
                return 204, {}
            return 200, {"items": json.loads(response.read())}

    def _now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.clock_offset_s)

    def _clock_info(self) -> dict[str, Any]:
        return {"now": self._now().isoformat().replace("+00:00", "Z"), "offset_s": self.clock_offset_s}

    def _set_clock(self, payload: Any) -> tuple[int, Any]:
        """Move the functions' clock: `offset_s`, `advance_s` (seconds) or `now` (ISO 8601 with an
        offset), within ten years of the real time either way (a clock past datetime's range would
        stop the schedules for good)."""
        try:
            offset = _clock_offset(payload, self.clock_offset_s)
        except (TypeError, ValueError) as error:
            return 400, {"message": str(error)}
        self.clock_offset_s = offset
        if self.scheduler is not None:
            self.scheduler.kick()
        return 200, self._clock_info()

    def _resources(self) -> dict[str, Any]:
        assert self.template is not None
        return {
            "aws_endpoint": self.aws_endpoint,
            "stripe_endpoint": self.stripe_endpoint,
            "mqtt": f"mqtt://127.0.0.1:{self.ports.mqtt}",
            "resources": {
                logical_id: {
                    "type": spec.get("Type"),
                    "ref": stack.physical[logical_id].ref,
                    **stack.physical[logical_id].attrs,
                }
                for stack in self.template.stacks()
                for logical_id, spec in stack.resources.items()
            },
        }


MAX_CLOCK_OFFSET_S = 10 * 365 * 24 * 3600


def _clock_offset(payload: Any, current: float) -> float:
    if not isinstance(payload, dict) or len(payload.keys() & {"offset_s", "advance_s", "now"}) != 1:
        raise ValueError("send one of offset_s, advance_s (seconds) or now (ISO 8601 with an offset)")
    if "now" in payload:
        target = datetime.fromisoformat(str(payload["now"]).replace("Z", "+00:00"))
        if target.tzinfo is None:
            raise ValueError("now needs an offset (2026-12-01T10:00:00Z)")
        offset = (target - datetime.now(UTC)).total_seconds()
    else:
        key = "offset_s" if "offset_s" in payload else "advance_s"
        value = payload[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"{key} is a finite number of seconds")
        offset = float(value) if key == "offset_s" else current + float(value)
    if abs(offset) > MAX_CLOCK_OFFSET_S:
        raise ValueError("the clock moves at most ten years from the real time")
    return offset


def _invocation_json(outcome: Invocation) -> dict[str, Any]:
    return {
        "ok": outcome.ok,
        "result": outcome.result,
        "error": outcome.error,
        "duration_ms": outcome.duration_ms,
        "init_ms": outcome.init_ms,
    }


def fetch_json(
    url: str,
    *,
    method: str = "GET",
    body: Any = None,
    timeout_s: float = 10,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """A tiny HTTP client for the runtime's own callers (CLI banner, bench, the smoke test)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, json.loads(raw) if raw else None
