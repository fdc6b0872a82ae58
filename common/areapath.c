#include "areapath.h"

#include <string.h>

int areapath_parse(areapath_t *path, const char *text)
{
    memset(path, 0, sizeof *path);
    path->json = json_loads(text, 0, NULL);
    if (!json_is_array(path->json))
        return -1;
    size_t i;
    json_t *item;
    json_array_foreach(path->json, i, item)
    {
        if (i == AREAPATH_MAX)
            break;
        Gov__AreaRef *ref = &path->refs[i];
        gov__area_ref__init(ref);
        ref->code = (char *) json_string_value(json_object_get(item, "code"));
        ref->name = (char *) json_string_value(json_object_get(item, "name"));
        ref->level = (char *) json_string_value(json_object_get(item, "level"));
        if (!ref->code || !ref->name || !ref->level)
            return -1;
        path->ptrs[i] = ref;
        path->n = i + 1;
    }
    return 0;
}

void areapath_clear(areapath_t *path)
{
    json_decref(path->json);
    memset(path, 0, sizeof *path);
}
