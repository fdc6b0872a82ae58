/* areapath: an area's path (district first) as gov.AreaRef messages, parsed
 * from the JSON the areas table keeps in path_json ([{code,name,level}...]). */
#ifndef GOV_AREAPATH_H
#define GOV_AREAPATH_H

#include <jansson.h>

#include "intake.pb-c.h"

#define AREAPATH_MAX 8

/* The refs borrow their strings from `json`, which the path owns. */
typedef struct {
    json_t *json;
    Gov__AreaRef refs[AREAPATH_MAX];
    Gov__AreaRef *ptrs[AREAPATH_MAX];
    size_t n;
} areapath_t;

/* Parses `text` into `path` (levels past AREAPATH_MAX are dropped). Returns 0,
 * or -1 when the text is not such an array; clear the path either way. */
int areapath_parse(areapath_t *path, const char *text);

/* Frees what the path holds and zeroes it; safe on a zeroed path. */
void areapath_clear(areapath_t *path);

#endif
