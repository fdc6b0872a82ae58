/* open311: Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2) at
 * /open311/v2/, as a city's existing Open311 app uses it: the discovery
 * document, the services (our categories), filing a request with an
 * api_key (intake's SubmitCase, channel "open311", acting for no person),
 * reading requests back with their status and what the departments did,
 * and FixMyStreet's servicerequestupdates to follow a request to closed.
 * Every resource answers .json or .xml; refusals are the specification's
 * <errors> with 400, 403 or 404. docs/open311.md has the mappings.
 *
 * One table below maps each resource to its handler; georeport.h holds the
 * pure mappings, xml.h the XML writer, form.h the POST body. */
#ifndef GOV_GATEWAY_OPEN311_H
#define GOV_GATEWAY_OPEN311_H

#include "api.h"
#include "http.h"

#define OPEN311_PREFIX "/open311/v2/"

/* Answers `req`, whose path starts with OPEN311_PREFIX, into `res`, on a
 * worker of `gw`'s pool; counts a refusal in `gw`. */
void open311_handle(gateway_t *gw, const http_req_t *req, http_res_t *res);

/* A refusal made before the request reached Open311 (the rate limit), in
 * the specification's error format for the request's suffix. */
void open311_refuse(const http_req_t *req, http_res_t *res, unsigned status, const char *code);

#endif
