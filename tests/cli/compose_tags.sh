# The images' tags, by content, for tests that run docker-compose.yml
# (test_compose.sh, test_swarm.sh): a hash of what each image is built
# from, so a run with nothing changed finds its images and builds nothing.
# Sourced from the top of the tree; sets GOV_TAG, GOV_DB_TAG and
# GOV_PROMETHEUS_TAG.
hash_of() { # paths...: a short hash of the files under the paths git knows of (and new ones)
    git ls-files -z -co --exclude-standard -- "$@" | grep -zv '^\(build\|var\)/' | sort -z |
        xargs -0 sha256sum 2>/dev/null | sha256sum | cut -c1-12
}
# What deploy/Dockerfile reads (keep the two in step): the sources make bins
# compiles, the install script, and what the runtime stage copies.
export GOV_TAG; GOV_TAG=$(hash_of Makefile common services proto tools deploy/Dockerfile deploy/install.sh \
    deploy/migrations deploy/demo deploy/compose-init.sh deploy/db-logins.sh deploy/sinks deploy/compose/entry.sh)
export GOV_DB_TAG; GOV_DB_TAG="15-3-$(hash_of deploy/postgis)"
export GOV_PROMETHEUS_TAG; GOV_PROMETHEUS_TAG="2.42-$(hash_of deploy/prometheus/Dockerfile)"
