# The settings `make up` runs with (sourced by up.sh and down.sh). Each can be
# overridden from the environment; docs/configuration.md explains them all.
GOV_PG_PORT=${GOV_PG_PORT:-55432}
export GOV_DB_URL=${GOV_DB_URL:-postgresql://postgres@127.0.0.1:$GOV_PG_PORT/gov}
export GOV_MIGRATIONS_DIR=${GOV_MIGRATIONS_DIR:-deploy/migrations}
# CURVE on every socket: the deployment's keys (made once by up.sh; govctl
# needs the same GOV_KEYS_DIR exported to talk to the services).
export GOV_KEYS_DIR=${GOV_KEYS_DIR:-$PWD/var/keys}
export GOV_INTAKE_ENDPOINT=${GOV_INTAKE_ENDPOINT:-tcp://127.0.0.1:7101}
export GOV_INTAKE_EVENTS=${GOV_INTAKE_EVENTS:-tcp://127.0.0.1:7102}
export GOV_INTAKE_HTTP_PORT=${GOV_INTAKE_HTTP_PORT:-7103}
export GOV_ROUTING_ENDPOINT=${GOV_ROUTING_ENDPOINT:-tcp://127.0.0.1:7201}
export GOV_ROUTING_EVENTS=${GOV_ROUTING_EVENTS:-tcp://127.0.0.1:7202}
export GOV_ROUTING_HTTP_PORT=${GOV_ROUTING_HTTP_PORT:-7203}
export GOV_DELIBERATION_ENDPOINT=${GOV_DELIBERATION_ENDPOINT:-tcp://127.0.0.1:7301}
export GOV_DELIBERATION_EVENTS=${GOV_DELIBERATION_EVENTS:-tcp://127.0.0.1:7302}
export GOV_DELIBERATION_HTTP_PORT=${GOV_DELIBERATION_HTTP_PORT:-7303}
export GOV_NOTIFY_ENDPOINT=${GOV_NOTIFY_ENDPOINT:-tcp://127.0.0.1:7401}
export GOV_NOTIFY_HTTP_PORT=${GOV_NOTIFY_HTTP_PORT:-7403}
# The gateway: people and integrations on GOV_GATEWAY_PORT (the front door),
# its health and metrics on GOV_GATEWAY_HTTP_PORT like every service's.
export GOV_GATEWAY_PORT=${GOV_GATEWAY_PORT:-8080}
export GOV_GATEWAY_HTTP_PORT=${GOV_GATEWAY_HTTP_PORT:-8081}
# notify delivers to a local sink (deploy/sinks/sink.py): mail on 2525,
# robots, webhooks and SMS on 7390; what it received is in var/log/sink.jsonl.
export GOV_SINK_SMTP_PORT=${GOV_SINK_SMTP_PORT:-2525}
export GOV_SINK_HTTP_PORT=${GOV_SINK_HTTP_PORT:-7390}
export GOV_NOTIFY_SMTP_URL=${GOV_NOTIFY_SMTP_URL:-smtp://127.0.0.1:$GOV_SINK_SMTP_PORT}
export GOV_NOTIFY_SMS_URL=${GOV_NOTIFY_SMS_URL:-http://127.0.0.1:$GOV_SINK_HTTP_PORT/sms}
# Every service `make up` knows, with its health port. Binaries that are not
# built yet (later services) are skipped.
GOV_SERVICES=("intake:$GOV_INTAKE_HTTP_PORT" "routing:$GOV_ROUTING_HTTP_PORT"
    "deliberation:$GOV_DELIBERATION_HTTP_PORT" "notify:$GOV_NOTIFY_HTTP_PORT"
    "gateway:$GOV_GATEWAY_HTTP_PORT")
