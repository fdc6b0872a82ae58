#!/usr/bin/env python3
"""docker-compose.yml as `docker stack deploy` reads it (deploy/scaling.md).

    python3 deploy/swarm/stack.py [--profile demo] [docker-compose.yml] >stack.yml
    GOV_INTAKE_REPLICAS=2 ... docker stack deploy -c stack.yml gov

The compose file is the one source: its services, images, settings, secrets,
health checks and the replica counts under each service's `deploy:`
(GOV_<SERVICE>_REPLICAS, 1 by default). Swarm reads the same file but refuses
or ignores what only compose has, so this prints it with those parts changed:

- `depends_on` goes: a swarm has no start order. Nothing needs one: a service
  that finds the schema behind exits and is started again (restart_policy),
  and a task joins the service's name only once its health check passes.
- `restart` becomes `deploy.restart_policy` (the migrations job: on-failure,
  so it runs once to success; the rest: any).
- `build` and `profiles` go; services of a profile not asked for (--profile)
  go, and `tools` (govctl for `docker-compose run`) always.
- `ports` go: Swarm's routing mesh cannot bind one address (127.0.0.1) and
  a host-mode port admits one replica per node. A swarm's front door is the
  city's load balancer, on the stack's network (`attachable`, so it and
  operators' one-off containers can join it) reaching `gateway:8080`.
- Health checks ask `/healthz` (alive: the database reached, the schema
  current, the loop running), not `/readyz`. A swarm puts a task in its
  service's name only once its health check passes, and intake, routing and
  deliberation follow each other's events: with /readyz, which waits for
  those links, none could ever be found by the others (compose's names
  resolve before health, so there /readyz orders the start). A subscription
  behind or unlinked still shows on /readyz and in gov_subscription_*.
- Every service gets `endpoint_mode: dnsrr` unless it says otherwise: its
  name resolves to its ready tasks' addresses, one of which each new
  connection takes. ZeroMQ keeps one connection per peer, so a virtual IP
  would balance nothing more, and it needs IPVS in the kernel, which not
  every host has (this one does not).

${VAR:-default} stays as it is, for `docker stack deploy` to fill in from
its environment. Needs PyYAML (Debian's python3-yaml).
"""
import sys

import yaml


def render(doc, profiles):
    out = {"version": "3.8", "services": {}}
    for name, svc in doc["services"].items():
        wanted = svc.get("profiles")
        if wanted and not set(wanted) & set(profiles) or "tools" in (wanted or []):
            continue
        svc = dict(svc)
        for key in ("depends_on", "build", "profiles", "ports", "restart", "container_name"):
            svc.pop(key, None)
        deploy = dict(svc.get("deploy") or {})
        deploy.setdefault("endpoint_mode", "dnsrr")
        deploy.setdefault("restart_policy",
                          {"condition": "on-failure"} if name == "migrate" else {"condition": "any", "delay": "2s"})
        svc["deploy"] = deploy
        check = svc.get("healthcheck")
        if check and isinstance(check.get("test"), list):
            svc["healthcheck"] = dict(check, test=[t.replace("/readyz", "/healthz") if isinstance(t, str) else t
                                                    for t in check["test"]])
        out["services"][name] = svc
    out["networks"] = {"default": {"driver": "overlay", "attachable": True}}
    for key in ("volumes", "secrets"):
        if key in doc:
            out[key] = doc[key]
    return out


def main(argv):
    profiles, path = [], "docker-compose.yml"
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--profile" and args:
            profiles.append(args.pop(0))
        elif a.startswith("-"):
            sys.exit("usage: stack.py [--profile NAME]... [docker-compose.yml]")
        else:
            path = a
    with open(path) as f:
        doc = yaml.safe_load(f)
    yaml.safe_dump(render(doc, profiles), sys.stdout, sort_keys=False, allow_unicode=True)


if __name__ == "__main__":
    main(sys.argv[1:])
