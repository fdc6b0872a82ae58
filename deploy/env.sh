# The settings `make up` runs with (sourced by up.sh and down.sh). Each can be
# overridden from the environment; docs/configuration.md explains them all.
GOV_PG_PORT=${GOV_PG_PORT:-55432}
export GOV_DB_URL=${GOV_DB_URL:-postgresql://postgres@127.0.0.1:$GOV_PG_PORT/gov}
export GOV_MIGRATIONS_DIR=${GOV_MIGRATIONS_DIR:-deploy/migrations}
export GOV_INTAKE_ENDPOINT=${GOV_INTAKE_ENDPOINT:-tcp://127.0.0.1:7101}
export GOV_INTAKE_EVENTS=${GOV_INTAKE_EVENTS:-tcp://127.0.0.1:7102}
export GOV_INTAKE_HTTP_PORT=${GOV_INTAKE_HTTP_PORT:-7103}
export GOV_ROUTING_ENDPOINT=${GOV_ROUTING_ENDPOINT:-tcp://127.0.0.1:7201}
export GOV_ROUTING_EVENTS=${GOV_ROUTING_EVENTS:-tcp://127.0.0.1:7202}
export GOV_ROUTING_HTTP_PORT=${GOV_ROUTING_HTTP_PORT:-7203}
# Every service `make up` knows, with its health port. Binaries that are not
# built yet (later services) are skipped.
GOV_SERVICES=("intake:$GOV_INTAKE_HTTP_PORT" "routing:$GOV_ROUTING_HTTP_PORT" "deliberation:7303" "notify:7403" "gateway:8080")
